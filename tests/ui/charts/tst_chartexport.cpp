// Exporting charts: PNG at twice the device pixel ratio, SVG, and errors as values.

#include "tests/common/faults.h"
#include "tests/ui/charts/tst_chartfixture.h"
#include "ui/charts/chartexport.h"
#include "ui/charts/comparisonchart.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/charts/textscatterchart.h"
#include "ui/models/textfocus.h"

#include <QChartView>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace pcs;

class TestChartExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void exportsPng_data();
    void exportsPng();
    void exportsSvg();
    void rejectsUnknownFormats();
    void reportsUnwritablePaths();
    void fullDiskKeepsTheOldFile_data();
    void fullDiskKeepsTheOldFile();

private:
    ChartWidget *chart(const QString &kind);

    test::ChartFixture m_fixture;
    TextFocus m_focus;
    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<ChartWidget>> m_charts;
};

void TestChartExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_fixture = test::makeChartFixture(6, 2000, 0.1, false);
    m_focus.setCurrent(5);
}

ChartWidget *TestChartExport::chart(const QString &kind)
{
    std::unique_ptr<ChartWidget> widget;
    if (kind == QLatin1String("ranked")) {
        auto c = std::make_unique<RankedEstimatesChart>();
        c->setData(m_fixture.data, m_fixture.outcome);
        widget = std::move(c);
    } else if (kind == QLatin1String("scatter")) {
        auto c = std::make_unique<TextScatterChart>();
        c->setData(m_fixture.data, m_fixture.outcome);
        widget = std::move(c);
    } else if (kind == QLatin1String("distribution")) {
        auto c = std::make_unique<DistributionChart>();
        c->setData(m_fixture.data, m_fixture.outcome);
        widget = std::move(c);
    } else {
        auto c = std::make_unique<ComparisonChart>();
        c->setComparison(m_fixture.outcome, -m_fixture.outcome->table.estimate,
                         QStringLiteral("negated"));
        widget = std::move(c);
    }
    widget->setFocusObject(&m_focus);
    widget->resize(640, 400);
    widget->show();
    if (!QTest::qWaitForWindowExposed(widget.get()))
        return nullptr;
    m_charts.push_back(std::move(widget));
    return m_charts.back().get();
}

void TestChartExport::exportsPng_data()
{
    QTest::addColumn<QString>("kind");
    for (const char *kind : { "ranked", "scatter", "distribution", "comparison" })
        QTest::newRow(kind) << QString::fromLatin1(kind);
}

void TestChartExport::exportsPng()
{
    QFETCH(QString, kind);
    ChartWidget *widget = chart(kind);
    QVERIFY(widget);
    const QString path = m_dir.filePath(kind + QStringLiteral(".png"));
    const Status status = widget->exportTo(path);
    QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));
    QImage image;
    QVERIFY(image.load(path));
    const QSize viewSize = widget->chartView()->viewport()->size();
    QCOMPARE(image.size(), viewSize * 2);
    // Not blank: the chart's background and its ink differ somewhere.
    const QRgb corner = image.pixel(0, 0);
    bool varied = false;
    for (int y = 0; y < image.height() && !varied; y += 7)
        for (int x = 0; x < image.width() && !varied; x += 7)
            varied = image.pixel(x, y) != corner;
    QVERIFY(varied);

    // To look at the charts: PCSTUDIO_CHART_EXPORT_DIR=/some/dir ./tst_chartexport
    const QString keep = qEnvironmentVariable("PCSTUDIO_CHART_EXPORT_DIR");
    if (!keep.isEmpty()) {
        QVERIFY(widget->exportTo(keep + QLatin1Char('/') + kind + QStringLiteral(".png")).ok());
        QVERIFY(widget->exportTo(keep + QLatin1Char('/') + kind + QStringLiteral(".svg")).ok());
        widget->setThemeMode(ChartWidget::ThemeMode::Dark);
        QVERIFY(
            widget->exportTo(keep + QLatin1Char('/') + kind + QStringLiteral("-dark.png")).ok());
        widget->setThemeMode(ChartWidget::ThemeMode::FollowPalette);
    }
}

void TestChartExport::exportsSvg()
{
    ChartWidget *widget = chart(QStringLiteral("ranked"));
    QVERIFY(widget);
    const QString path = m_dir.filePath(QStringLiteral("ranked.SVG"));  // extension in any case
    const Status status = exportChart(widget->chartView(), path);
    QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray svg = file.readAll();
    QVERIFY(svg.startsWith("<?xml") || svg.contains("<svg"));
    QVERIFY(svg.contains("<svg"));
    QVERIFY(svg.contains("Ranked estimates"));  // the title, as text (not an image)

    // The comparison's point cloud is cached as a bitmap on screen, but exports as vectors.
    ChartWidget *comparison = chart(QStringLiteral("comparison"));
    QVERIFY(comparison);
    const QString cloudPath = m_dir.filePath(QStringLiteral("comparison.svg"));
    QVERIFY(comparison->exportTo(cloudPath).ok());
    QFile cloud(cloudPath);
    QVERIFY(cloud.open(QIODevice::ReadOnly));
    const QByteArray cloudSvg = cloud.readAll();
    QVERIFY(!cloudSvg.contains("<image"));
    QVERIFY(cloudSvg.count("<ellipse") + cloudSvg.count("<circle") >= 2000);
}

void TestChartExport::rejectsUnknownFormats()
{
    ChartWidget *widget = chart(QStringLiteral("ranked"));
    QVERIFY(widget);
    const QString path = m_dir.filePath(QStringLiteral("chart.pdf"));
    const Status status = widget->exportTo(path);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().kind, ErrorKind::BadInput);
    QCOMPARE(status.error().file, path);
    QVERIFY(status.error().reason.contains(QStringLiteral(".png")));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!exportChart(nullptr, m_dir.filePath(QStringLiteral("x.png"))).ok());
}

void TestChartExport::reportsUnwritablePaths()
{
    ChartWidget *widget = chart(QStringLiteral("ranked"));
    QVERIFY(widget);
    const QString path = m_dir.filePath(QStringLiteral("missing/dir/chart.png"));
    const Status status = widget->exportTo(path);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().file, path);
    QVERIFY(!status.error().reason.isEmpty());
}

QTEST_MAIN(TestChartExport)
void TestChartExport::fullDiskKeepsTheOldFile_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::newRow("png") << QStringLiteral("png");
    QTest::newRow("svg") << QStringLiteral("svg");
}

// Rendered in memory, then written through the checked writer: a full disk is an Io error
// naming the file and the system's reason, and the previous export stays.
void TestChartExport::fullDiskKeepsTheOldFile()
{
    QFETCH(QString, suffix);
    ChartWidget *widget = chart(QStringLiteral("ranked"));
    QVERIFY(widget);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chart.") + suffix);
    QFile old(path);
    QVERIFY(old.open(QIODevice::WriteOnly) && old.write("old chart\n") == 10);
    old.close();
    Status status = Done {};
    {
        const test::FileSizeLimit full(512);
        status = widget->exportTo(path);
    }
    QVERIFY(!status);
    QCOMPARE(status.error().kind, ErrorKind::Io);
    QVERIFY2(status.error().reason.contains(QStringLiteral("File too large")),
             qPrintable(status.error().toString()));
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("old chart\n"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList { QStringLiteral("chart.") + suffix });
}

#include "tst_chartexport.moc"

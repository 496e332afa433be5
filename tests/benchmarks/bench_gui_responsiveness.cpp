// How long the GUI thread of the main window stays away from its event loop while a researcher
// works on a large matrix: loads, reruns, reprojects, switches stages, sorts and filters the
// table. A 2 ms timer ticks throughout; the longest gap between ticks is the worst stall.
//   bench_gui_responsiveness [N LLMs] [D texts] [--dir DIR] [--load-only]
// Run with QT_QPA_PLATFORM=offscreen (or under xvfb-run) on a Release build. With --dir, inputs
// already there for the same N and D are reused (a 1e7-text matrix takes minutes to write).
// --load-only measures a canceled load (how soon Cancel is honoured, and that progress arrives
// while reading) and a full load with its views, and stops there.
// Each phase waits until the views have applied what they prepare in the background. The run
// ends with PASS or FAIL against 100 ms for the load and for the interactions, the peak RSS
// and the command line; the exit status is 0 only when all pass.
#include "ui/charts/comparisonchart.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"
#include "ui/models/texttableview.h"
#include "ui/window/mainwindow.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <execinfo.h>
#include <pthread.h>
#include <unistd.h>

namespace {

// LLMs with a latent ability; every text's BPB falls with it to a text-specific degree, so the
// estimates spread out as in real data.
void setPaths(const QString &dir, pcs::SelectionInputPaths *paths)
{
    const QString npy = dir + QStringLiteral("/bpb.npy");
    paths->bpb = npy;
    paths->bpbOptions.textsFile = npy + QStringLiteral(".texts");
    paths->bpbOptions.llmsFile = npy + QStringLiteral(".llms");
    paths->errors = dir + QStringLiteral("/errors.csv");
}

// Inputs a previous run left in `dir` for the same shape (the header names it; the size checks
// that the data is complete).
bool haveInputs(const QString &dir, qint64 llms, qint64 texts)
{
    const std::string path = (dir + QStringLiteral("/bpb.npy")).toStdString();
    std::ifstream file(path, std::ios::binary);
    char head[128] = {};
    file.read(head, sizeof head);
    const std::string shape = "(" + std::to_string(llms) + ", " + std::to_string(texts) + ")";
    if (!file || std::string(head, sizeof head).find(shape) == std::string::npos)
        return false;
    file.seekg(0, std::ios::end);
    const qint64 headerBytes = 10 + (std::uint8_t(head[8]) | std::uint8_t(head[9]) << 8);
    return qint64(file.tellg()) == headerBytes + llms * texts * qint64(sizeof(float))
        && QFileInfo::exists(dir + QStringLiteral("/errors.csv"))
        && QFileInfo::exists(dir + QStringLiteral("/bpb.npy.texts"))
        && QFileInfo::exists(dir + QStringLiteral("/bpb.npy.llms"));
}

bool writeInputs(const QString &dir, qint64 llms, qint64 texts, pcs::SelectionInputPaths *paths)
{
    std::mt19937_64 random(20241121);
    std::normal_distribution<double> normal;
    std::vector<double> ability(static_cast<std::size_t>(llms));
    for (double &a : ability)
        a = normal(random);
    std::vector<double> loading(static_cast<std::size_t>(texts));
    for (double &l : loading)
        l = 0.1 * normal(random);

    const QString npy = dir + QStringLiteral("/bpb.npy");
    std::ofstream file(npy.toStdString(), std::ios::binary);
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(llms)
        + ", " + std::to_string(texts) + "), }";
    while ((10 + dict.size() + 1) % 64 != 0)
        dict += ' ';
    dict += '\n';
    const auto length = std::uint16_t(dict.size());
    file.write("\x93NUMPY\x01\x00", 8);
    file.put(char(length & 0xFF)).put(char(length >> 8));
    file << dict;
    std::vector<float> row(static_cast<std::size_t>(texts));
    for (qint64 i = 0; i < llms; ++i) {
        for (qint64 j = 0; j < texts; ++j)
            row[std::size_t(j)] = float(1.0 - loading[std::size_t(j)] * ability[std::size_t(i)]
                                        + 0.05 * normal(random));
        file.write(reinterpret_cast<const char *>(row.data()), qint64(row.size() * sizeof(float)));
    }
    std::ofstream textsFile((npy + QStringLiteral(".texts")).toStdString());
    for (qint64 j = 0; j < texts; ++j)
        textsFile << "domain" << j % 97 << "/text-" << j << '\n';
    std::ofstream llmsFile((npy + QStringLiteral(".llms")).toStdString());
    std::ofstream errors((dir + QStringLiteral("/errors.csv")).toStdString());
    std::string header = "benchmark";
    std::string values = "bench";
    for (qint64 i = 0; i < llms; ++i) {
        llmsFile << "llm-" << i << '\n';
        header += ",llm-" + std::to_string(i);
        values += ',' + std::to_string(0.5 - 0.1 * ability[std::size_t(i)] + 0.02 * normal(random));
    }
    errors << header << '\n' << values << '\n';
    setPaths(dir, paths);
    return bool(file) && bool(textsFile) && bool(llmsFile) && bool(errors);
}

// With PCS_STALL_TRACE set: when the GUI thread has not ticked for 80 ms, print its stack (a
// signal to the GUI thread, which writes its own backtrace to stderr), to find what stalls it.
std::atomic<qint64> g_lastTickMs { 0 };
pthread_t g_guiThread;

void printStack(int)
{
    void *frames[48];
    const int count = backtrace(frames, 48);
    static const char header[] = "--- GUI thread stack during a stall ---\n";
    (void)!write(STDERR_FILENO, header, sizeof header - 1);
    backtrace_symbols_fd(frames, count, STDERR_FILENO);
}

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void startStallTracer()
{
    g_guiThread = pthread_self();
    void *warmUp[4];
    backtrace(warmUp, 4);  // loads the unwinder now, not inside the signal handler
    std::signal(SIGUSR1, printStack);
    g_lastTickMs = steadyMs();
    std::thread([] {
        qint64 reported = 0;
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const qint64 last = g_lastTickMs.load();
            if (steadyMs() - last > 80 && reported != last) {
                reported = last;
                pthread_kill(g_guiThread, SIGUSR1);
            }
        }
    }).detach();
}

// Records the longest gap between ticks of a fast timer, per phase.
class StallMeter : public QObject {
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(2);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const double now = double(m_clock.nsecsElapsed()) * 1e-6;
            m_worst = std::max(m_worst, now - m_last);
            m_last = now;
            g_lastTickMs = steadyMs();
        });
    }
    void begin(const char *phase)
    {
        m_phase = phase;
        m_clock.start();
        m_last = 0;
        m_worst = 0;
        m_timer.start();
    }
    double end()
    {
        m_timer.stop();
        std::printf("  %-48s worst stall %7.1f ms  (phase %.2f s)\n", m_phase, m_worst,
                    double(m_clock.nsecsElapsed()) * 1e-9);
        std::fflush(stdout);
        return m_worst;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    const char *m_phase = "";
    double m_last = 0;
    double m_worst = 0;
};

// Lets the event loop run for `ms` (views repaint, queued work settles).
void settle(int ms)
{
    QTest::qWait(ms);
}

// The largest resident set so far, from /proc (Linux), in GB; -1 elsewhere.
double peakRssGb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stod(line.substr(6)) / (1024.0 * 1024.0);  // kB
    }
    return -1;
}

constexpr double kTargetMs = 100.0;

const char *verdict(double worstMs)
{
    return worstMs <= kTargetMs ? "PASS" : "FAIL";
}

}  // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("PCS_STALL_TRACE"))
        startStallTracer();
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setApplicationName(QStringLiteral("bench_gui_responsiveness"));
    qint64 llms = 100;
    qint64 texts = 1000000;
    QString dirPath;
    bool loadOnly = false;
    const QStringList args = QApplication::arguments();
    int positional = 0;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dir") && i + 1 < args.size())
            dirPath = args[++i];
        else if (args[i] == QLatin1String("--load-only"))
            loadOnly = true;
        else if (positional++ == 0)
            llms = args[i].toLongLong();
        else
            texts = args[i].toLongLong();
    }
    if (llms < 3 || texts < 1) {
        std::fprintf(stderr,
                     "usage: bench_gui_responsiveness [N LLMs >= 3] [D texts] [--dir DIR] "
                     "[--load-only]\n");
        return 2;
    }
    QTemporaryDir temporary;
    if (dirPath.isEmpty())
        dirPath = temporary.path();
    pcs::SelectionInputPaths paths;
    QElapsedTimer writing;
    writing.start();
    if (haveInputs(dirPath, llms, texts)) {
        setPaths(dirPath, &paths);
        std::printf("reusing the inputs in %s\n", qPrintable(dirPath));
    } else if (!writeInputs(dirPath, llms, texts, &paths)) {
        std::fprintf(stderr, "could not write the inputs to %s\n", qPrintable(dirPath));
        return 1;
    } else {
        std::printf("wrote the inputs to %s in %.1f s\n", qPrintable(dirPath),
                    double(writing.nsecsElapsed()) * 1e-9);
    }
    std::printf(
        "bench_gui_responsiveness: %lld LLMs x %lld texts (float32 .npy), GUI thread stalls:\n",
        qlonglong(llms), qlonglong(texts));

    pcs::MainWindow window;
    window.resize(1400, 900);
    window.show();
    settle(300);
    StallMeter meter;
    double worst = 0;
    auto *session = window.session();
    auto *table = window.findChild<pcs::TextTableView *>(QStringLiteral("textTable"));
    auto *ranked = window.findChild<pcs::RankedEstimatesChart *>(QStringLiteral("rankedChart"));
    // Until the table and the charts show what they prepare off the GUI thread.
    auto waitViews = [&] {
        const auto busy = [&] {
            const auto *distribution
                = window.findChild<pcs::DistributionChart *>(QStringLiteral("distributionChart"));
            const auto *comparison
                = window.findChild<pcs::ComparisonChart *>(QStringLiteral("comparisonChart"));
            return table->model()->isArranging() || ranked->isPreparing()
                || (distribution && distribution->isPreparing())
                || (comparison && comparison->isPreparing());
        };
        QElapsedTimer waited;
        waited.start();
        while (busy() && waited.elapsed() < 600000)
            settle(10);
    };
    auto waitOutcome = [&](QSignalSpy &spy) {
        if (!spy.wait(600000))
            std::fprintf(stderr, "timed out\n");
        waitViews();
        settle(300);
    };
    QString commandLine
        = QStringLiteral("QT_QPA_PLATFORM=%1").arg(qEnvironmentVariable("QT_QPA_PLATFORM"));
    for (const QString &arg : QApplication::arguments())
        commandLine += QLatin1Char(' ') + arg;
    double loadWorst = 0;
    const auto report = [&](double interactionsWorst) {
        std::printf("peak RSS %.2f GB\n", peakRssGb());
        std::printf("load (cancel, then load + first selection): worst stall %.1f ms: %s (target "
                    "<= %.0f ms)\n",
                    loadWorst, verdict(loadWorst), kTargetMs);
        if (interactionsWorst >= 0)
            std::printf("interactions (rerun, reproject, sort, filter, focus, stages): worst "
                        "stall %.1f ms: %s (target <= %.0f ms)\n",
                        interactionsWorst, verdict(interactionsWorst), kTargetMs);
        std::printf("command: %s\n", qPrintable(commandLine));
        std::fflush(stdout);
        return std::max(loadWorst, interactionsWorst) <= kTargetMs ? 0 : 1;
    };

    {
        // Cancel a load once a third of the file is read: progress must arrive while reading,
        // and the Cancel button must be honoured promptly.
        QSignalSpy canceled(session, &pcs::SelectionSession::runCanceled);
        int progressUpdates = 0;
        double lastFraction = 0.0;
        auto *cancel = window.findChild<QPushButton *>(QStringLiteral("cancelButton"));
        QElapsedTimer sinceCancel;
        const auto connection = QObject::connect(
            session, &pcs::SelectionSession::progressChanged, &window, [&](int permille) {
                ++progressUpdates;
                lastFraction = permille / 1000.0;
                if (lastFraction >= 0.33 && !sinceCancel.isValid()) {
                    sinceCancel.start();
                    cancel->click();
                }
            });
        meter.begin("load, Cancel clicked at 33% read");
        window.loadInputs(paths);
        if (!canceled.wait(600000))
            std::fprintf(stderr, "the load was not canceled\n");
        const double cancelMs
            = sinceCancel.isValid() ? double(sinceCancel.nsecsElapsed()) * 1e-6 : -1;
        settle(300);
        worst = std::max(worst, meter.end());
        QObject::disconnect(connection);
        std::printf("    %d progress updates before Cancel; canceled %.1f ms after the click\n",
                    progressUpdates, cancelMs);
    }
    {
        QSignalSpy outcomes(session, &pcs::SelectionSession::outcomeChanged);
        int progressUpdates = 0;
        const auto connection = QObject::connect(session, &pcs::SelectionSession::progressChanged,
                                                 &window, [&] { ++progressUpdates; });
        QElapsedTimer wall;
        wall.start();
        meter.begin("load + spearmanr + linear, all views updated");
        window.loadInputs(paths);
        waitOutcome(outcomes);
        worst = std::max(worst, meter.end());
        QObject::disconnect(connection);
        std::printf("    %d progress updates; load %.2f s, estimate %.2f s, project %.2f s\n",
                    progressUpdates, session->data()->loadSeconds,
                    session->outcome()->estimateSeconds, session->outcome()->projectSeconds);
    }
    loadWorst = worst;
    worst = 0;
    if (loadOnly)
        return report(-1);
    auto *estimator = window.findChild<QComboBox *>(QStringLiteral("estimatorCombo"));
    {
        QSignalSpy outcomes(session, &pcs::SelectionSession::outcomeChanged);
        meter.begin("estimator -> sign_cdf (rerun)");
        estimator->setCurrentIndex(estimator->findData(QStringLiteral("sign_cdf")));
        waitOutcome(outcomes);
        worst = std::max(worst, meter.end());
    }
    {
        QSignalSpy outcomes(session, &pcs::SelectionSession::outcomeChanged);
        meter.begin("keep ratio 10% -> 25% (reproject)");
        window.findChild<QDoubleSpinBox *>(QStringLiteral("keepPercent"))->setValue(25.0);
        waitOutcome(outcomes);
        worst = std::max(worst, meter.end());
    }
    {
        QSignalSpy outcomes(session, &pcs::SelectionSession::outcomeChanged);
        meter.begin("three quick estimator changes (latest wins)");
        for (const char *name : { "sign", "product", "spearmanr" })
            estimator->setCurrentIndex(estimator->findData(QString::fromLatin1(name)));
        waitOutcome(outcomes);
        worst = std::max(worst, meter.end());
    }
    const std::pair<const char *, int> sorts[]
        = { { "sort the table by estimate", pcs::SelectionTableModel::EstimateColumn },
            { "sort the table by weight", pcs::SelectionTableModel::WeightColumn },
            { "sort the table by text name", pcs::SelectionTableModel::TextColumn },
            { "sort the table by rank", pcs::SelectionTableModel::RankColumn } };
    for (const auto &[label, column] : sorts) {
        meter.begin(label);
        table->tableView()->horizontalHeader()->setSortIndicator(column, Qt::AscendingOrder);
        waitViews();
        settle(700);
        table->tableView()->horizontalHeader()->setSortIndicator(column, Qt::DescendingOrder);
        waitViews();
        settle(700);
        worst = std::max(worst, meter.end());
    }
    {
        meter.begin("filter the table (\"domain42/\")");
        table->filterEdit()->setText(QStringLiteral("domain42/"));
        settle(300);  // past the typing delay
        waitViews();
        settle(1200);
        table->filterEdit()->clear();
        settle(300);
        waitViews();
        settle(1200);
        worst = std::max(worst, meter.end());
    }
    {
        meter.begin("focus another text (scatter, markers)");
        for (int text : { 17, 4242, int(texts) - 1 })
            window.focus()->setCurrent(text % int(texts));
        settle(500);
        worst = std::max(worst, meter.end());
    }
    {
        meter.begin("show the Distribution stage");
        window.showStage(pcs::MainWindow::DistributionStage);
        settle(50);
        waitViews();
        settle(500);
        worst = std::max(worst, meter.end());
    }
    {
        QSignalSpy compared(session, &pcs::SelectionSession::comparisonChanged);
        meter.begin("show the Compare stage (comparison computed)");
        window.showStage(pcs::MainWindow::CompareStage);
        if (!compared.wait(600000))
            std::fprintf(stderr, "comparison timed out\n");
        settle(50);
        waitViews();
        settle(500);
        worst = std::max(worst, meter.end());
    }
    return report(worst);
}

#include "ui/charts/chartexport.h"

#include "core/io/atomicwrite.h"

#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>
#include <QTextDocumentFragment>

namespace pcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("pcs::exportChart", text);
}

void renderView(QChartView *view, QPainter *painter, const QSize &size)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);
    // Items cached as screen pixmaps (the point cloud) would export as blurry bitmaps: draw
    // them afresh, as vectors, for the export only.
    QList<std::pair<QGraphicsItem *, QGraphicsItem::CacheMode>> cached;
    const auto items = view->scene()->items();
    for (QGraphicsItem *item : items) {
        if (item->cacheMode() != QGraphicsItem::NoCache) {
            cached.append({ item, item->cacheMode() });
            item->setCacheMode(QGraphicsItem::NoCache);
        }
    }
    // An explicit target in logical coordinates: the default would take the device's pixels.
    view->render(painter, QRectF(QPointF(0, 0), QSizeF(size)), view->viewport()->rect(),
                 Qt::IgnoreAspectRatio);
    for (const auto &[item, mode] : cached)
        item->setCacheMode(mode);
}

}  // namespace

QString chartExportFilter()
{
    return tr("PNG image (*.png);;SVG image (*.svg)");
}

Status exportChart(QChartView *view, const QString &path)
{
    if (!view || !view->chart())
        return Error::badInput(tr("There is no chart to export."), path);
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("png") && suffix != QLatin1String("svg"))
        return Error::badInput(
            tr("Unknown chart format \"%1\": use a .png or .svg file name.").arg(suffix), path);
    const QSize size = view->viewport()->size();
    if (size.isEmpty())
        return Error::badInput(tr("The chart has no size yet; show it before exporting."), path);

    // Rendered in memory first, then written through the checked writer: encoders do not
    // report a device's write errors reliably.
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (suffix == QLatin1String("png")) {
        constexpr qreal kScale = 2.0;
        QImage image(size * kScale, QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(kScale);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        renderView(view, &painter, size);
        painter.end();
        if (!image.save(&buffer, "PNG"))
            return Error::internal(tr("Could not encode the PNG image."), path);
    } else {
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        // The screen's resolution, so that point-sized fonts keep their size relative to the plot.
        generator.setResolution(view->logicalDpiX());
        generator.setTitle(QTextDocumentFragment::fromHtml(view->chart()->title()).toPlainText());
        generator.setDescription(tr("Chart exported by Perplexity Correlations Studio"));
        QPainter painter(&generator);
        renderView(view, &painter, size);
        painter.end();
    }
    buffer.close();
    return writeAtomically(path, bytes);
}

}  // namespace pcs

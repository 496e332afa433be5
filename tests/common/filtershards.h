#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace pcs::test {

// The corpus the filter tests train on: 2400 demo documents, every fourth from "science" (the
// domain the distribution gives weight), the rest from "forums".
struct FilterCorpus {
    QString texts;  // JSONL
    QString distribution;  // CSV, the weight per document id
    QList<QByteArray> lines;  // the JSONL lines, without their '\n'
};
FilterCorpus writeFilterCorpus(const QTemporaryDir &dir);

// `pcstudio-cli filter train` over the corpus into `model` (2 threads, a small bucket count).
QStringList filterTrainArguments(const FilterCorpus &corpus, const QString &model,
                                 const QString &report);

// The threshold in a trained model's manifest, printed to round-trip exactly.
QString manifestThreshold(const QString &model);

// The corpus cut into five shards of 480 lines under dir/shards/, the third gzipped (so a recipe
// reads compressed input too), and dir/shards.txt listing their paths, one a line, in order.
struct FilterShards {
    QStringList paths;
    QString list;
};
FilterShards writeFilterShards(const QTemporaryDir &dir, const QList<QByteArray> &lines);

}  // namespace pcs::test

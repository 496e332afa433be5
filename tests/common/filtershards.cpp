#include "tests/common/filtershards.h"

#include "core/demo/democorpus.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace pcs::test {

FilterCorpus writeFilterCorpus(const QTemporaryDir &dir)
{
    QStringList ids, domains;
    QByteArray distribution = "text,estimate,rank,tau,weight\n";
    for (int i = 0; i < 2400; ++i) {
        ids << QStringLiteral("doc-%1").arg(i);
        domains << (i % 4 == 0 ? QStringLiteral("science") : QStringLiteral("forums"));
        distribution += ids.last().toUtf8() + ",0,1,1," + (i % 4 == 0 ? "0.002" : "0") + "\n";
    }
    const QByteArray corpus = demoCorpusJsonl(ids, domains);
    FilterCorpus written;
    written.lines = corpus.split('\n');
    written.lines.removeLast();
    written.texts = writeFile(dir, QStringLiteral("texts.jsonl"), corpus);
    written.distribution = writeFile(dir, QStringLiteral("distribution.csv"), distribution);
    return written;
}

QStringList filterTrainArguments(const FilterCorpus &corpus, const QString &model,
                                 const QString &report)
{
    return { QStringLiteral("filter"),         QStringLiteral("train"),
             QStringLiteral("--texts"),        corpus.texts,
             QStringLiteral("--distribution"), corpus.distribution,
             QStringLiteral("--output"),       model,
             QStringLiteral("--threads"),      QStringLiteral("2"),
             QStringLiteral("--bucket"),       QStringLiteral("100000"),
             QStringLiteral("--report"),       report };
}

QString manifestThreshold(const QString &model)
{
    QFile file(model + QStringLiteral(".manifest.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject manifest = QJsonDocument::fromJson(file.readAll()).object();
    return QString::number(manifest.value(QStringLiteral("threshold"))
                               .toObject()
                               .value(QStringLiteral("value"))
                               .toDouble(),
                           'g', 17);
}

FilterShards writeFilterShards(const QTemporaryDir &dir, const QList<QByteArray> &lines)
{
    FilterShards shards;
    QByteArray list;
    const qsizetype perShard = lines.size() / 5;
    for (int s = 0; s < 5; ++s) {
        QByteArray part;
        for (qsizetype i = s * perShard; i < (s + 1) * perShard; ++i)
            part += lines[i] + '\n';
        QString path = writeFile(dir, QStringLiteral("shards/part-%1.jsonl").arg(s), part);
        if (s == 2) {
            if (QProcess::execute(QStringLiteral("gzip"), { QStringLiteral("-f"), path }) != 0)
                qFatal("gzip %s failed", qPrintable(path));
            path += QStringLiteral(".gz");
        }
        shards.paths << path;
        list += path.toUtf8() + '\n';
    }
    shards.list = writeFile(dir, QStringLiteral("shards.txt"), list);
    return shards;
}

}  // namespace pcs::test

// The sharded projection (selection/shardedprojection.h) against the single-run projection on
// random pools: many ties, caps from token counts of any spread, estimates of any magnitude,
// 1 to 9 shards (empty ones too). Weights, caps and global ranks must be the same bits.
#include "core/selection/projection.h"
#include "core/selection/shardedprojection.h"
#include "core/selection/textshards.h"

#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace pcs;

namespace {

bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

// The error of a result, or nothing (QVERIFY2 builds its message even when the check holds).
template<typename T> QString errorText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

}  // namespace

class TestShardedProjection : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shardRangesCoverEveryTextOnce()
    {
        for (qint64 d : { 0, 1, 5, 263, 1000, 1000003 }) {
            for (int n : { 1, 2, 3, 7, 16, 300 }) {
                qint64 next = 0;
                qint64 smallest = d, largest = 0;
                for (int i = 0; i < n; ++i) {
                    const TextRange range = shardTextRange(d, { i, n });
                    QCOMPARE(range.first, next);
                    QVERIFY(range.end >= range.first);
                    smallest = std::min(smallest, range.size());
                    largest = std::max(largest, range.size());
                    next = range.end;
                }
                QCOMPARE(next, d);
                QVERIFY2(largest - smallest <= 1,
                         qPrintable(QStringLiteral("D %1 N %2").arg(d).arg(n)));
            }
        }
        QVERIFY(!parseShardSpec(QStringLiteral("3/3")).ok());
        QCOMPARE(parseShardSpec(QStringLiteral("2/3"))->index, 2);
    }

    void randomPoolsMatchTheSingleRun()
    {
        QRandomGenerator random(20241205);
        QTemporaryDir dir;
        for (int round = 0; round < 120; ++round) {
            const qint64 d = 1 + random.bounded(300);
            const int shards = 1 + random.bounded(9);
            const double magnitude = std::pow(10.0, random.bounded(13) - 4);  // 1e-4 .. 1e8
            const int levels = 1 + random.bounded(12);  // few levels: many ties
            Eigen::VectorXd estimate(d), tokens(d);
            QByteArray counts = "text,tokens\n";
            for (qint64 j = 0; j < d; ++j) {
                estimate[j] = magnitude * (double(random.bounded(levels)) / levels - 0.3);
                tokens[j] = double(1 + random.bounded(random.bounded(2) ? 10 : 100000));
                counts += "t" + QByteArray::number(j) + ',' + QByteArray::number(tokens[j], 'g', 17)
                    + '\n';
            }
            const double keepRatio = 0.02 + random.bounded(98) / 100.0;
            const QString tokenFile = dir.filePath(QStringLiteral("tokens%1.csv").arg(round));
            writeBytes(tokenFile, counts);
            const TauSpec spec { random.bounded(2) ? TauSpec::Source::TokenCounts
                                                   : TauSpec::Source::Uniform,
                                 tokenFile, keepRatio };
            const Eigen::VectorXd tau = spec.source == TauSpec::Source::Uniform
                ? *uniformTau(d, keepRatio)
                : *tauFromTokenCounts(tokens, keepRatio);

            QStringList texts;
            for (qint64 j = 0; j < d; ++j)
                texts << QStringLiteral("t%1").arg(j);
            QStringList paths;
            for (int i = 0; i < shards; ++i) {
                const TextRange range = shardTextRange(d, { i, shards });
                const QString path = dir.filePath(QStringLiteral("r%1-E%2.csv").arg(round).arg(i));
                QByteArray bytes;
                formatEstimateShard(texts.mid(range.first, range.size()),
                                    estimate.segment(range.first, range.size()), range.first,
                                    [&](const char *data, qint64 size) {
                                        bytes.append(data, size);
                                        return true;
                                    });
                writeBytes(path, bytes);
                EstimateShardInfo info { { i, shards },
                                         range,
                                         d,
                                         QStringLiteral("spearmanr"),
                                         QStringLiteral("/bpb.csv"),
                                         1,
                                         10 };
                writeBytes(estimateShardInfoPath(path), QJsonDocument(info.toJson()).toJson());
                paths << path;
            }
            for (Projection projection : { Projection::Linear, Projection::L2 }) {
                const QString what = QStringLiteral("round %1 (D %2, N %3, %4, r %5, e ~ %6)")
                                         .arg(round)
                                         .arg(d)
                                         .arg(shards)
                                         .arg(projectionName(projection))
                                         .arg(keepRatio)
                                         .arg(magnitude);
                const auto expected = project(estimate, tau, projection);
                QVERIFY2(expected.ok(), qPrintable(what));
                const Eigen::VectorXi ranks = ranksDescending(estimate);
                const auto cut = computeProjectionCut(paths, spec, projection);
                QVERIFY2(cut.ok(), qPrintable(what + QLatin1Char(' ') + errorText(cut)));
                // Through the file, as a projection job reads it.
                const QString cutPath = dir.filePath(QStringLiteral("cut.json"));
                writeBytes(cutPath, QJsonDocument(cut->toJson()).toJson());
                const auto reread = readProjectionCut(cutPath);
                QVERIFY2(reread.ok(), qPrintable(what));
                qint64 j = 0;
                for (const QString &path : paths) {
                    const auto table = projectShard(path, *reread);
                    QVERIFY2(table.ok(), qPrintable(what + QLatin1Char(' ') + errorText(table)));
                    for (qsizetype k = 0; k < table->texts.size(); ++k, ++j) {
                        QVERIFY2(sameBits(table->weight[k], (*expected)[j]),
                                 qPrintable(what
                                            + QStringLiteral(": weight of text %1: %2, one run %3")
                                                  .arg(j)
                                                  .arg(table->weight[k], 0, 'g', 17)
                                                  .arg((*expected)[j], 0, 'g', 17)));
                        QVERIFY2(sameBits(table->tau[k], tau[j]), qPrintable(what));
                        QVERIFY2(sameBits(table->estimate[k], estimate[j]), qPrintable(what));
                        QCOMPARE(table->rank[k], ranks[j]);
                    }
                }
                QCOMPARE(j, d);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestShardedProjection)
#include "tst_shardedprojection.moc"

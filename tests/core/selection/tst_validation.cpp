// Held-out-LLM validation (selection/validation.h): families never split, balanced folds, the
// score against a naive Spearman, the selection beating uniform on the demo data and not on
// data whose errors are independent of BPB, determinism, errors.

#include "core/demo/demodata.h"
#include "core/io/bpbloader.h"
#include "core/selection/alignment.h"
#include "core/selection/projection.h"
#include "core/selection/validation.h"
#include "tests/common/testdata.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <random>

using Eigen::Index;
using namespace pcs;

namespace {

double naiveSpearman(const std::vector<double> &a, const std::vector<double> &b)
{
    auto ranks = [](const std::vector<double> &v) {
        std::vector<double> r(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            double smaller = 0, equal = 0;
            for (double w : v) {
                smaller += w < v[i];
                equal += w == v[i];
            }
            r[i] = 1 + smaller + (equal - 1) / 2;
        }
        return r;
    };
    const auto ra = ranks(a), rb = ranks(b);
    const double mean = (double(a.size()) + 1) / 2;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (ra[i] - mean) * (rb[i] - mean);
        saa += (ra[i] - mean) * (ra[i] - mean);
        sbb += (rb[i] - mean) * (rb[i] - mean);
    }
    return sab / std::sqrt(saa * sbb);
}

struct Demo {
    DemoDataset dataset;
    AlignedInputs aligned;
};

Demo demo(int llms, int texts)
{
    Demo d;
    d.dataset = generateDemoDataset({ llms, texts, 20240905 });
    auto aligned = alignInputs(d.dataset.bpb, d.dataset.errors);
    if (aligned)
        d.aligned = std::move(aligned).value();
    return d;
}

}  // namespace

class TestValidation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void familyIsTheFirstElement()
    {
        QCOMPARE(llmFamily(QStringLiteral("('pythia', 'EleutherAI/pythia-160m')")),
                 QStringLiteral("pythia"));
        QCOMPARE(llmFamily(QStringLiteral("('a, b', 'org/m')")), QStringLiteral("a, b"));
        QCOMPARE(llmFamily(QStringLiteral("EleutherAI/pythia-160m")),
                 QStringLiteral("EleutherAI/pythia-160m"));
        QCOMPARE(llmFamily(QStringLiteral("(broken")), QStringLiteral("(broken"));
    }

    void familiesAreNeverSplit()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        auto bpb = loadBpbMatrix(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"));
        QVERIFY(bpb.ok());
        const QStringList &llms = bpb->llms;
        QSet<QString> families;
        for (const QString &llm : llms)
            families.insert(llmFamily(llm));
        QVERIFY(families.size() > 10 && families.size() < llms.size());
        for (quint64 seed = 0; seed < 20; ++seed) {
            for (int k : { 2, 5, 10 }) {
                auto folds = assignFolds(llms, k, seed, true);
                QVERIFY2(folds.ok(), folds.ok() ? "" : qPrintable(folds.error().reason));
                QHash<QString, int> foldOfFamily;
                std::vector<int> sizes(std::size_t(k), 0);
                for (qsizetype i = 0; i < llms.size(); ++i) {
                    const int f = (*folds)[std::size_t(i)];
                    QVERIFY(f >= 0 && f < k);
                    ++sizes[std::size_t(f)];
                    const QString family = llmFamily(llms[i]);
                    if (foldOfFamily.contains(family))
                        QCOMPARE(foldOfFamily.value(family), f);  // never split
                    foldOfFamily.insert(family, f);
                }
                QVERIFY(*std::min_element(sizes.begin(), sizes.end()) >= 3);
            }
        }
        // Without grouping: folds differ in size by at most one, and the seed shuffles.
        auto a = assignFolds(llms, 7, 1, false);
        auto b = assignFolds(llms, 7, 2, false);
        QVERIFY(a.ok() && b.ok());
        QVERIFY(*a != *b);
        std::vector<int> sizes(7, 0);
        for (int f : *a)
            ++sizes[std::size_t(f)];
        QVERIFY(*std::max_element(sizes.begin(), sizes.end())
                    - *std::min_element(sizes.begin(), sizes.end())
                <= 1);
    }

    void foldErrors()
    {
        QStringList llms;
        for (int i = 0; i < 8; ++i)
            llms << QStringLiteral("('fam%1', 'org/m%2')").arg(i % 2).arg(i);
        auto tooManyFolds = assignFolds(llms, 3, 0, true);  // 2 families, 3 folds
        QVERIFY(!tooManyFolds.ok());
        QVERIFY(tooManyFolds.error().reason.contains(QStringLiteral("families")));
        auto tooSmall = assignFolds(llms, 4, 0, false);  // 8 LLMs in 4 folds: 2 each
        QVERIFY(!tooSmall.ok());
        QVERIFY(tooSmall.error().reason.contains(QStringLiteral("at least 3")));
        QVERIFY(!assignFolds(llms, 1, 0, false).ok());
    }

    void spearmanMatchesNaive()
    {
        std::mt19937_64 rng(4);
        std::uniform_int_distribution<int> small(0, 5);  // many ties
        for (int trial = 0; trial < 50; ++trial) {
            std::vector<double> a(17), b(17);
            for (std::size_t i = 0; i < a.size(); ++i) {
                a[i] = small(rng);
                b[i] = small(rng) + 0.5 * a[i];
            }
            const double got = spearmanRho(Eigen::Map<Eigen::VectorXd>(a.data(), 17),
                                           Eigen::Map<Eigen::VectorXd>(b.data(), 17));
            QVERIFY(std::abs(got - naiveSpearman(a, b)) < 1e-12);
        }
        QCOMPARE(spearmanRho(Eigen::VectorXd::Ones(4), Eigen::VectorXd::LinSpaced(4, 0, 1)), 0.0);
    }

    // The score of each fold, recomputed by hand from the fold's own selection.
    void scoresFollowTheDefinition()
    {
        const Demo d = demo(60, 200);
        QVERIFY(d.aligned.llms.size() == 60);
        const Eigen::VectorXd tau = *uniformTau(200, 0.1);
        ValidationOptions options;
        options.folds = 3;
        options.seed = 5;
        auto result = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows, d.aligned.errors,
                                        d.aligned.llms, tau, options);
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().reason));
        QCOMPARE(int(result->folds.size()), 3);
        auto folds = assignFolds(d.aligned.llms, 3, 5, false);
        for (int f = 0; f < 3; ++f) {
            std::vector<Index> trainRows;
            std::vector<double> trainErrors, heldErrors;
            std::vector<Index> heldRows;
            for (qsizetype i = 0; i < d.aligned.llms.size(); ++i) {
                const Index row = d.aligned.bpbRows[std::size_t(i)];
                if ((*folds)[std::size_t(i)] == f) {
                    heldRows.push_back(row);
                    heldErrors.push_back(d.aligned.errors[i]);
                } else {
                    trainRows.push_back(row);
                    trainErrors.push_back(d.aligned.errors[i]);
                }
            }
            const auto est = estimate(
                d.dataset.bpb.values, trainRows,
                Eigen::Map<Eigen::VectorXd>(trainErrors.data(), Index(trainErrors.size())));
            const auto weight = project(*est, tau, Projection::Linear);
            std::vector<double> selectedBpb, uniformBpb;
            for (Index row : heldRows) {
                double s = 0, u = 0;
                for (Index j = 0; j < 200; ++j) {
                    s += (*weight)[j] * d.dataset.bpb.values(row, j);
                    u += d.dataset.bpb.values(row, j) / 200;
                }
                selectedBpb.push_back(s);
                uniformBpb.push_back(u);
            }
            const ValidationFold &fold = result->folds[std::size_t(f)];
            QCOMPARE(fold.heldOut.size(), qsizetype(heldRows.size()));
            QCOMPARE(fold.selectedCount, (weight->array() > 0).count());
            QVERIFY(std::abs(fold.selected - naiveSpearman(heldErrors, selectedBpb)) < 1e-12);
            QVERIFY(std::abs(fold.uniform - naiveSpearman(heldErrors, uniformBpb)) < 1e-12);
            QVERIFY(fold.random >= -1 && fold.random <= 1);
        }
        const double mean
            = (result->folds[0].selected + result->folds[1].selected + result->folds[2].selected)
            / 3;
        QVERIFY(std::abs(result->selected.mean - mean) < 1e-15);
    }

    // The demo's errors are driven by the good domains' BPB: a selection of those texts,
    // chosen on other LLMs, predicts held-out LLMs better than all texts do.
    void selectionBeatsUniformOnTheDemoData()
    {
        // The demo at its default size (pcstudio-cli demo): with 150 × 800 the held-out folds
        // of 30 LLMs are too noisy for the two-standard-error rule.
        const Demo d = demo(240, 3000);
        const Eigen::VectorXd tau = *uniformTau(3000, 0.2);
        ValidationOptions options;
        options.folds = 5;
        options.seed = 0;
        auto result = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows, d.aligned.errors,
                                        d.aligned.llms, tau, options);
        QVERIFY(result.ok());
        qInfo("demo: selected %.3f ± %.3f, uniform %.3f ± %.3f, random %.3f ± %.3f",
              result->selected.mean, result->selected.sd, result->uniform.mean, result->uniform.sd,
              result->random.mean, result->random.sd);
        QVERIFY(result->beatsUniform());
        QVERIFY(result->selected.mean > result->uniform.mean);
        QVERIFY(result->verdict().startsWith(QStringLiteral("Yes"))
                || result->verdict().startsWith(QStringLiteral("Partly")));
        const QJsonObject json = result->toJson();
        QCOMPARE(json.value(QStringLiteral("selected"))
                     .toObject()
                     .value(QStringLiteral("mean"))
                     .toDouble(),
                 result->selected.mean);
        QCOMPARE(json.value(QStringLiteral("folds")).toArray().size(), 5);
    }

    // Errors independent of BPB (the demo's errors given to other LLMs at random): the
    // selection is noise and must not be declared better than uniform, across several seeds.
    void noSignalDoesNotBeatUniform()
    {
        const Demo d = demo(150, 800);
        const Eigen::VectorXd tau = *uniformTau(800, 0.1);
        int claimed = 0;
        double meanDifference = 0;
        for (unsigned seed = 0; seed < 6; ++seed) {
            std::vector<double> y(d.aligned.errors.data(),
                                  d.aligned.errors.data() + d.aligned.errors.size());
            std::shuffle(y.begin(), y.end(), std::mt19937_64(seed));
            ValidationOptions options;
            options.folds = 5;
            options.seed = seed;
            auto result = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows,
                                            Eigen::Map<Eigen::VectorXd>(y.data(), Index(y.size())),
                                            d.aligned.llms, tau, options);
            QVERIFY(result.ok());
            claimed += result->beatsUniform();
            meanDifference += (result->selected.mean - result->uniform.mean) / 6;
            qInfo("shuffled %u: selected %.3f, uniform %.3f, random %.3f", seed,
                  result->selected.mean, result->uniform.mean, result->random.mean);
        }
        QVERIFY2(claimed <= 1, qPrintable(QString::number(claimed)));
        QVERIFY2(std::abs(meanDifference) < 0.15, qPrintable(QString::number(meanDifference)));
    }

    void deterministicAndThreadIndependent()
    {
        const Demo d = demo(40, 300);
        const Eigen::VectorXd tau = *uniformTau(300, 0.2);
        ValidationOptions options;
        options.folds = 4;
        options.seed = 9;
        options.threads = 1;
        auto one = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows, d.aligned.errors,
                                     d.aligned.llms, tau, options);
        options.threads = 2;
        auto two = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows, d.aligned.errors,
                                     d.aligned.llms, tau, options);
        QVERIFY(one.ok() && two.ok());
        QCOMPARE(one->toJson(), two->toJson());
        TaskControl cancel;
        cancel.requestCancel();
        auto canceled = validateSelection(d.dataset.bpb.values, d.aligned.bpbRows, d.aligned.errors,
                                          d.aligned.llms, tau, options, cancel);
        QVERIFY(!canceled.ok());
        QCOMPARE(canceled.error().kind, ErrorKind::Canceled);
    }
};

QTEST_GUILESS_MAIN(TestValidation)
#include "tst_validation.moc"

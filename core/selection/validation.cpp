#include "core/selection/validation.h"

#include "core/io/pyliteral.h"
#include "core/selection/splitmix.h"
#include "core/selection/standardize.h"

#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pcs {

namespace {

using Eigen::Index;

Eigen::VectorXd midRanks(const Eigen::Ref<const Eigen::VectorXd> &values)
{
    const Index n = values.size();
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return values[a] < values[b]; });
    Eigen::VectorXd ranks(n);
    for (Index first = 0; first < n;) {
        Index last = first;
        while (last + 1 < n
               && values[order[std::size_t(last + 1)]] == values[order[std::size_t(first)]])
            ++last;
        const double midRank = double(first + last) / 2 + 1;
        for (Index p = first; p <= last; ++p)
            ranks[order[std::size_t(p)]] = midRank;
        first = last + 1;
    }
    return ranks;
}

ValidationSummary summarize(const std::vector<double> &values)
{
    ValidationSummary summary;
    if (values.empty())
        return summary;
    double sum = 0;
    for (double v : values)
        sum += v;
    summary.mean = sum / double(values.size());
    if (values.size() > 1) {
        double squares = 0;
        for (double v : values)
            squares += (v - summary.mean) * (v - summary.mean);
        summary.sd = std::sqrt(squares / double(values.size() - 1));
    }
    return summary;
}

// Whether the mean per-fold difference exceeds twice its standard error.
bool clearlyAbove(const std::vector<ValidationFold> &folds, double ValidationFold::*baseline)
{
    std::vector<double> differences;
    for (const ValidationFold &fold : folds)
        differences.push_back(fold.selected - fold.*baseline);
    const ValidationSummary d = summarize(differences);
    if (differences.size() < 2)
        return false;
    return d.mean > 0 && d.mean > 2 * d.sd / std::sqrt(double(differences.size()));
}

// Σ_j p_j X[row, j] for each held-out row; `texts` and `weights` list the texts with weight.
Eigen::VectorXd weightedBpb(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                            const std::vector<Index> &heldOutRows, const std::vector<Index> &texts,
                            const std::vector<double> &weights)
{
    Eigen::VectorXd out = Eigen::VectorXd::Zero(Index(heldOutRows.size()));
    for (std::size_t t = 0; t < texts.size(); ++t) {
        const double *column = bpb.col(texts[t]).data();
        for (std::size_t i = 0; i < heldOutRows.size(); ++i)
            out[Index(i)] += weights[t] * column[heldOutRows[i]];
    }
    return out;
}

QString fmt(double value)
{
    return QString::number(value, 'f', 3);
}

}  // namespace

double spearmanRho(const Eigen::Ref<const Eigen::VectorXd> &a,
                   const Eigen::Ref<const Eigen::VectorXd> &b)
{
    if (a.size() != b.size() || a.size() < 2)
        return 0;
    const Eigen::VectorXd ra = midRanks(a);
    const Eigen::VectorXd rb = midRanks(b);
    const double meanRank = double(a.size() + 1) / 2;
    const Eigen::ArrayXd ca = ra.array() - meanRank;
    const Eigen::ArrayXd cb = rb.array() - meanRank;
    const double sa = (ca * ca).sum();
    const double sb = (cb * cb).sum();
    if (!(sa > 0) || !(sb > 0))
        return 0;  // a constant vector: no order to correlate
    return std::clamp((ca * cb).sum() / std::sqrt(sa * sb), -1.0, 1.0);
}

QString llmFamily(const QString &llmName)
{
    const QString name = llmName.trimmed();
    if (!name.startsWith(QLatin1Char('(')))
        return llmName;
    // The package names LLMs str((family, hf_id)); pyliteral reads dict values.
    const std::string wrapped = "{'name': " + name.toStdString() + "}";
    io::PyDict dict;
    QString error;
    if (!io::parsePyDict(wrapped, &dict, &error))
        return llmName;
    const io::PyValue &tuple = dict.entries.front().second;
    if (tuple.kind != io::PyValue::Tuple || tuple.items.empty()
        || tuple.items.front().kind != io::PyValue::String)
        return llmName;
    return QString::fromStdString(tuple.items.front().text);
}

Result<std::vector<int>> assignFolds(const QStringList &llms, int folds, quint64 seed,
                                     bool groupByFamily)
{
    if (folds < 2)
        return Error::badInput(QStringLiteral("--folds must be at least 2, not %1").arg(folds));
    // Groups in order of first appearance, then shuffled (Fisher–Yates) by the seed.
    QHash<QString, int> groupOf;
    std::vector<std::vector<int>> groups;
    for (int i = 0; i < llms.size(); ++i) {
        const QString key = groupByFamily ? llmFamily(llms[i]) : QString::number(i);
        auto it = groupOf.find(key);
        if (it == groupOf.end()) {
            it = groupOf.insert(key, int(groups.size()));
            groups.emplace_back();
        }
        groups[std::size_t(*it)].push_back(i);
    }
    if (int(groups.size()) < folds)
        return Error::badInput(
            QStringLiteral("%1 folds need at least as many %2, but there are %3")
                .arg(folds)
                .arg(groupByFamily ? QStringLiteral("LLM families") : QStringLiteral("LLMs"))
                .arg(groups.size()));
    detail::SplitMix64 stream = detail::splitMixStream(seed, 0x666f6c6473ULL);  // "folds"
    for (std::size_t i = groups.size(); i > 1; --i)
        std::swap(groups[i - 1], groups[std::size_t(stream.below(i))]);
    // Largest groups first, each onto the fold with the fewest LLMs (lowest index on ties).
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto &a, const auto &b) { return a.size() > b.size(); });
    std::vector<int> foldOf(std::size_t(llms.size()), 0);
    std::vector<qsizetype> sizes(std::size_t(folds), 0);
    for (const std::vector<int> &group : groups) {
        const auto smallest
            = std::size_t(std::min_element(sizes.begin(), sizes.end()) - sizes.begin());
        for (int llm : group)
            foldOf[std::size_t(llm)] = int(smallest);
        sizes[smallest] += qsizetype(group.size());
    }
    for (int f = 0; f < folds; ++f) {
        if (sizes[std::size_t(f)] < 3)
            return Error::badInput(
                QStringLiteral("fold %1 of %2 would hold %3 LLMs; a held-out correlation needs at "
                               "least 3 (use fewer folds)")
                    .arg(f)
                    .arg(folds)
                    .arg(sizes[std::size_t(f)]));
    }
    return foldOf;
}

Result<ValidationResult>
validateSelection(const Eigen::Ref<const Eigen::MatrixXd> &bpb, std::span<const Index> rows,
                  const Eigen::Ref<const Eigen::VectorXd> &errors, const QStringList &llms,
                  const Eigen::Ref<const Eigen::VectorXd> &tau, const ValidationOptions &options,
                  const TaskControl &control)
{
    const Index n = errors.size();
    if (llms.size() != n || (!rows.empty() && Index(rows.size()) != n))
        return Error::badInput(QStringLiteral("%1 benchmark errors, %2 LLM names, %3 rows")
                                   .arg(n)
                                   .arg(llms.size())
                                   .arg(rows.size()));
    const Index texts = bpb.cols();
    if (tau.size() != texts)
        return Error::badInput(QStringLiteral("%1 texts but %2 caps").arg(texts).arg(tau.size()));
    if (options.randomDraws < 1)
        return Error::badInput(QStringLiteral("need at least 1 random selection per fold"));
    auto foldOf = assignFolds(llms, options.folds, options.seed, options.groupByFamily);
    if (!foldOf)
        return foldOf.error();

    ValidationResult result;
    result.foldCount = options.folds;
    result.seed = options.seed;
    result.groupByFamily = options.groupByFamily;
    {
        QSet<QString> groups;
        for (const QString &llm : llms)
            groups.insert(options.groupByFamily ? llmFamily(llm) : llm);
        result.familyCount = int(groups.size());
    }
    const TaskControl inner({}, [&control] { return control.isCanceled(); });
    auto rowOf = [&](Index i) { return rows.empty() ? i : rows[std::size_t(i)]; };
    std::vector<Index> allTexts(static_cast<std::size_t>(texts));
    std::iota(allTexts.begin(), allTexts.end(), Index(0));
    const std::vector<double> uniformWeights(std::size_t(texts), 1.0 / double(texts));

    for (int f = 0; f < options.folds; ++f) {
        if (control.isCanceled())
            return Error::canceled();
        ValidationFold fold;
        std::vector<Index> trainRows, heldOutRows;
        std::vector<double> trainErrors;
        Eigen::VectorXd heldOutErrors(n);
        Index heldOut = 0;
        for (Index i = 0; i < n; ++i) {
            if ((*foldOf)[std::size_t(i)] == f) {
                heldOutRows.push_back(rowOf(i));
                heldOutErrors[heldOut++] = errors[i];
                fold.heldOut << llms[i];
            } else {
                trainRows.push_back(rowOf(i));
                trainErrors.push_back(errors[i]);
            }
        }
        heldOutErrors.conservativeResize(heldOut);
        const Eigen::Map<const Eigen::VectorXd> train(trainErrors.data(),
                                                      Index(trainErrors.size()));
        auto estimated = estimateMaybeStandardized(bpb, trainRows, train,
                                                   { options.estimator, options.threads },
                                                   options.standardize, inner);
        if (!estimated)
            return estimated.error().kind == ErrorKind::Canceled
                ? estimated.error()
                : Error::badInput(QStringLiteral("fold %1 (training on the other LLMs): %2")
                                      .arg(f)
                                      .arg(estimated.error().reason),
                                  estimated.error().file);
        auto weight = project(*estimated, tau, options.projection);
        if (!weight)
            return weight.error();
        std::vector<Index> selectedTexts;
        std::vector<double> selectedWeights;
        for (Index j = 0; j < texts; ++j) {
            if ((*weight)[j] > 0) {
                selectedTexts.push_back(j);
                selectedWeights.push_back((*weight)[j]);
            }
        }
        fold.selectedCount = qint64(selectedTexts.size());
        fold.selected = spearmanRho(heldOutErrors,
                                    weightedBpb(bpb, heldOutRows, selectedTexts, selectedWeights));
        fold.uniform
            = spearmanRho(heldOutErrors, weightedBpb(bpb, heldOutRows, allTexts, uniformWeights));
        // Random selections of as many texts, equally weighted (partial Fisher–Yates).
        const std::size_t k = selectedTexts.size();
        const std::vector<double> equal(k, 1.0 / double(k));
        double randomSum = 0;
        std::vector<Index> pool = allTexts;
        for (int draw = 0; draw < options.randomDraws; ++draw) {
            detail::SplitMix64 stream
                = detail::splitMixStream(options.seed, quint64(f) + 1, quint64(draw));
            std::iota(pool.begin(), pool.end(), Index(0));
            for (std::size_t i = 0; i < k; ++i)
                std::swap(pool[i], pool[i + std::size_t(stream.below(quint64(texts) - i))]);
            const std::vector<Index> chosen(pool.begin(), pool.begin() + std::ptrdiff_t(k));
            randomSum += spearmanRho(heldOutErrors, weightedBpb(bpb, heldOutRows, chosen, equal));
        }
        fold.random = randomSum / double(options.randomDraws);
        result.folds.push_back(std::move(fold));
        control.reportProgress(f + 1, options.folds);
    }
    std::vector<double> selected, uniform, random;
    for (const ValidationFold &fold : result.folds) {
        selected.push_back(fold.selected);
        uniform.push_back(fold.uniform);
        random.push_back(fold.random);
    }
    result.selected = summarize(selected);
    result.uniform = summarize(uniform);
    result.random = summarize(random);
    return result;
}

bool ValidationResult::beatsUniform() const
{
    return clearlyAbove(folds, &ValidationFold::uniform);
}

bool ValidationResult::beatsRandom() const
{
    return clearlyAbove(folds, &ValidationFold::random);
}

QString ValidationResult::verdict() const
{
    const QString figures
        = QStringLiteral("held-out Spearman ρ: selected %1 ± %2, uniform %3 ± %4, "
                         "random %5 ± %6 over %7 folds")
              .arg(fmt(selected.mean), fmt(selected.sd), fmt(uniform.mean), fmt(uniform.sd),
                   fmt(random.mean), fmt(random.sd))
              .arg(foldCount);
    const bool uniformBeaten = beatsUniform();
    const bool randomBeaten = beatsRandom();
    QString sentence;
    if (uniformBeaten && randomBeaten)
        sentence = QStringLiteral("Yes: the selection predicts held-out LLMs better than both "
                                  "baselines (uniform and random selections of the same size).");
    else if (uniformBeaten)
        sentence = QStringLiteral("Partly: the selection predicts held-out LLMs better than the "
                                  "uniform distribution, but not clearly better than random "
                                  "selections of the same size.");
    else if (randomBeaten)
        sentence = QStringLiteral("Partly: the selection predicts held-out LLMs better than random "
                                  "selections of the same size, but not clearly better than the "
                                  "uniform distribution.");
    else
        sentence = QStringLiteral("No: the selection does not predict held-out LLMs clearly better "
                                  "than the baselines (the differences are within the noise "
                                  "between folds).");
    return sentence + QStringLiteral(" (") + figures
        + QStringLiteral("; \"clearly\" = the mean "
                         "per-fold difference exceeds "
                         "two standard errors)");
}

QJsonObject ValidationResult::toJson() const
{
    QJsonArray foldArray;
    for (const ValidationFold &fold : folds)
        foldArray.append(QJsonObject {
            { QStringLiteral("held_out"), QJsonArray::fromStringList(fold.heldOut) },
            { QStringLiteral("selected_texts"), fold.selectedCount },
            { QStringLiteral("selected"), fold.selected },
            { QStringLiteral("uniform"), fold.uniform },
            { QStringLiteral("random"), fold.random },
        });
    auto summary = [](const ValidationSummary &s) {
        return QJsonObject { { QStringLiteral("mean"), s.mean }, { QStringLiteral("sd"), s.sd } };
    };
    return QJsonObject {
        { QStringLiteral("score"),
          QStringLiteral("Spearman rho between held-out LLMs' benchmark error and their BPB "
                         "averaged under the distribution (higher = better prediction)") },
        { QStringLiteral("folds"), foldArray },
        { QStringLiteral("selected"), summary(selected) },
        { QStringLiteral("uniform"), summary(uniform) },
        { QStringLiteral("random"), summary(random) },
        { QStringLiteral("k"), foldCount },
        { QStringLiteral("seed"), QString::number(seed) },
        { QStringLiteral("group_by"),
          groupByFamily ? QStringLiteral("family") : QStringLiteral("llm") },
        { QStringLiteral("groups"), familyCount },
        { QStringLiteral("beats_uniform"), beatsUniform() },
        { QStringLiteral("beats_random"), beatsRandom() },
        { QStringLiteral("verdict"), verdict() },
    };
}

}  // namespace pcs

#include "core/selection/selectionrun.h"

#include "core/io/namedvalues.h"

#include <QHash>

namespace pcs {

Result<SelectionInputs> loadSelectionInputs(const QString &bpbPath,
                                            const BpbLoadOptions &bpbOptions,
                                            const QString &errorsPath,
                                            const QStringList &benchmarks,
                                            const TaskControl &control)
{
    AlignOptions options;
    options.benchmarks = benchmarks;
    return loadSelectionInputs(bpbPath, bpbOptions, errorsPath, {}, options, control);
}

Result<SelectionInputs>
loadSelectionInputs(const QString &bpbPath, const BpbLoadOptions &bpbOptions,
                    const QString &errorsPath, const BenchmarkLoadOptions &errorsOptions,
                    const AlignOptions &alignOptions, const TaskControl &control)
{
    auto bpb = loadBpbMatrix(bpbPath, bpbOptions, control);
    if (!bpb)
        return bpb.error();
    auto errors = loadBenchmarkErrors(errorsPath, errorsOptions, control);
    if (!errors)
        return errors.error();
    auto aligned = alignInputs(*bpb, *errors, alignOptions, bpbPath, errorsPath);
    if (!aligned)
        return aligned.error();
    SelectionInputs inputs;
    inputs.bpb = std::make_shared<const BpbMatrix>(std::move(bpb).value());
    inputs.errors = std::move(errors).value();
    inputs.aligned = std::move(aligned).value();
    inputs.bpbPath = bpbPath;
    inputs.errorsPath = errorsPath;
    return inputs;
}

Result<Eigen::VectorXd> estimateSelection(const SelectionInputs &inputs,
                                          const EstimateOptions &options,
                                          const TaskControl &control)
{
    return estimate(inputs.bpb->values, inputs.aligned.bpbRows, inputs.aligned.errors, options,
                    control);
}

Result<Eigen::VectorXd> estimateSelection(const SelectionInputs &inputs,
                                          const EstimateOptions &options, TextRange range,
                                          const TaskControl &control)
{
    if (range.isEmpty())
        return Eigen::VectorXd();
    return estimate(inputs.bpb->values.middleCols(range.first, range.size()),
                    inputs.aligned.bpbRows, inputs.aligned.errors, options, control);
}

QString tauSourceName(TauSpec::Source source)
{
    switch (source) {
    case TauSpec::Source::Uniform:
        return QStringLiteral("uniform");
    case TauSpec::Source::TokenCounts:
        return QStringLiteral("token_counts");
    case TauSpec::Source::File:
        return QStringLiteral("file");
    }
    return {};
}

Result<Eigen::VectorXd> resolveTau(const QStringList &texts, const TauSpec &spec,
                                   Warnings *warnings)
{
    if (spec.source == TauSpec::Source::Uniform)
        return uniformTau(texts.size(), spec.keepRatio);

    const bool isCapsFile = spec.source == TauSpec::Source::File;
    auto table = loadNamedValues(spec.path, QStringLiteral("text"),
                                 isCapsFile ? QStringLiteral("tau") : QStringLiteral("tokens"));
    if (!table)
        return table.error();
    QHash<QString, double> byName;
    byName.reserve(table->names.size());
    for (qsizetype i = 0; i < table->names.size(); ++i)
        byName.insert(table->names[i], table->values[size_t(i)]);

    Eigen::VectorXd values(texts.size());
    qsizetype missing = 0;
    QString firstMissing;
    for (qsizetype j = 0; j < texts.size(); ++j) {
        const auto it = byName.constFind(texts[j]);
        if (it == byName.cend()) {
            if (missing++ == 0)
                firstMissing = texts[j];
            continue;
        }
        values[j] = *it;
    }
    if (missing > 0)
        return Error::badInput(
            QStringLiteral("no %1 for %2 of the %3 texts, first '%4'")
                .arg(isCapsFile ? QStringLiteral("tau") : QStringLiteral("token count"))
                .arg(missing)
                .arg(texts.size())
                .arg(firstMissing),
            spec.path);
    const qsizetype extra = table->names.size() - texts.size();
    if (extra > 0 && warnings)
        warnings->append(Error::badInput(
            QStringLiteral("%1 entries name texts that are not in the selection; ignored")
                .arg(extra),
            spec.path));

    if (!isCapsFile) {
        auto tau = tauFromTokenCounts(values, spec.keepRatio);
        if (!tau)
            return Error::badInput(tau.error().reason, spec.path);
        return tau;
    }
    for (Eigen::Index j = 0; j < values.size(); ++j) {
        if (!(values[j] > 0.0))
            return Error::badInput(QStringLiteral("tau of '%1' is %2; every tau must be > 0")
                                       .arg(texts[j])
                                       .arg(values[j]),
                                   spec.path);
    }
    if (values.sum() < 1.0 - 1e-12)
        return Error::badInput(QStringLiteral("the caps sum to %1; they must sum to at least 1")
                                   .arg(values.sum(), 0, 'g', 17),
                               spec.path);
    return values;
}

SelectionTable makeEstimateTable(const QStringList &texts, const Eigen::VectorXd &estimate)
{
    SelectionTable table;
    table.texts = texts;
    table.estimate = estimate;
    table.rank = ranksDescending(estimate);
    return table;
}

Result<SelectionTable> makeDistributionTable(const QStringList &texts,
                                             const Eigen::VectorXd &estimate,
                                             const Eigen::VectorXd &tau, Projection projection)
{
    auto weight = project(estimate, tau, projection);
    if (!weight)
        return weight.error();
    SelectionTable table = makeEstimateTable(texts, estimate);
    table.tau = tau;
    table.weight = std::move(weight).value();
    return table;
}

}  // namespace pcs

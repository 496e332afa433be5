#include "selection/alignment.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace pcs {

QStringList defaultBenchmarks(const BenchmarkErrors &errors)
{
    QStringList rates;
    for (qsizetype b = 0; b < errors.benchmarks.size(); ++b) {
        bool isRate = true;
        for (Eigen::Index i = 0; i < errors.values.cols() && isRate; ++i) {
            const double v = errors.values(b, i);
            isRate = std::isnan(v) || (v >= 0.0 && v <= 1.0);
        }
        if (isRate)
            rates << errors.benchmarks[b];
    }
    return rates.isEmpty() ? errors.benchmarks : rates;
}

namespace {

QString firstNames(const QStringList &names, int count = 3)
{
    QStringList shown = names.mid(0, count);
    QString text = shown.join(QStringLiteral(", "));
    if (names.size() > count)
        text += QStringLiteral(", … (%1 in all)").arg(names.size());
    return text;
}

// For each BPB row: the number of missing values and the first text that lacks one.
struct MissingBpb {
    qint64 count = 0;
    Eigen::Index firstText = -1;
};

std::vector<MissingBpb> findMissingBpb(const BpbMatrix &bpb)
{
    std::vector<MissingBpb> missing(size_t(bpb.values.rows()));
    for (Eigen::Index j = 0; j < bpb.values.cols(); ++j) {
        const double *column = bpb.values.col(j).data();
        for (Eigen::Index i = 0; i < bpb.values.rows(); ++i) {
            if (std::isnan(column[i])) {
                if (missing[size_t(i)].count++ == 0)
                    missing[size_t(i)].firstText = j;
            }
        }
    }
    return missing;
}

}  // namespace

Result<AlignedInputs> alignInputs(const BpbMatrix &bpb, const BenchmarkErrors &errors,
                                  const QStringList &requested, const QString &bpbFile,
                                  const QString &errorsFile)
{
    AlignedInputs aligned;
    aligned.benchmarks = requested.isEmpty() ? defaultBenchmarks(errors) : requested;
    aligned.benchmarks.removeDuplicates();
    std::vector<qsizetype> benchmarkRows;
    for (const QString &name : aligned.benchmarks) {
        const qsizetype row = errors.benchmarks.indexOf(name);
        if (row < 0)
            return Error::badInput(QStringLiteral("unknown benchmark '%1'; the file has: %2")
                                       .arg(name, errors.benchmarks.join(QStringLiteral(", "))),
                                   errorsFile);
        benchmarkRows.push_back(row);
    }
    if (benchmarkRows.empty())
        return Error::badInput(QStringLiteral("the benchmark file has no benchmarks"), errorsFile);

    QHash<QString, qsizetype> errorColumn;
    for (qsizetype i = 0; i < errors.llms.size(); ++i)
        errorColumn.insert(errors.llms[i], i);

    const std::vector<MissingBpb> missing = findMissingBpb(bpb);
    struct Candidate {
        QString name;
        Eigen::Index row;
        double error;
    };
    std::vector<Candidate> used;
    qsizetype inBoth = 0;
    for (qsizetype r = 0; r < bpb.llms.size(); ++r) {
        const QString &name = bpb.llms[r];
        const auto column = errorColumn.constFind(name);
        if (column == errorColumn.cend()) {
            aligned.dropped.append({ name, QStringLiteral("not in the benchmark file") });
            continue;
        }
        ++inBoth;
        QStringList lacking;
        double sum = 0.0;
        for (size_t b = 0; b < benchmarkRows.size(); ++b) {
            const double v = errors.values(benchmarkRows[b], *column);
            if (std::isnan(v))
                lacking << aligned.benchmarks[qsizetype(b)];
            sum += v;
        }
        if (!lacking.isEmpty()) {
            aligned.dropped.append({ name,
                                     QStringLiteral("no value for benchmark %1")
                                         .arg(lacking.join(QStringLiteral(", "))) });
            continue;
        }
        const MissingBpb &gap = missing[size_t(r)];
        if (gap.count > 0) {
            aligned.dropped.append({ name,
                                     QStringLiteral("missing BPB for %1 text(s), first '%2'")
                                         .arg(gap.count)
                                         .arg(bpb.texts.value(gap.firstText)) });
            continue;
        }
        used.push_back({ name, Eigen::Index(r), sum / double(benchmarkRows.size()) });
    }
    QHash<QString, bool> inBpb;
    for (const QString &name : bpb.llms)
        inBpb.insert(name, true);
    for (const QString &name : errors.llms) {
        if (!inBpb.contains(name))
            aligned.dropped.append({ name, QStringLiteral("not in the BPB file") });
    }

    if (inBoth == 0)
        return Error::badInput(
            QStringLiteral("no LLM appears in both files (BPB file: %1; benchmark file: %2)")
                .arg(firstNames(bpb.llms), firstNames(errors.llms)),
            errorsFile);
    if (used.size() < 3)
        return Error::badInput(
            QStringLiteral("only %1 LLM(s) have all BPB values and the chosen benchmarks; "
                           "at least 3 are needed (%2 dropped)")
                .arg(used.size())
                .arg(aligned.dropped.size()),
            bpbFile);

    std::sort(used.begin(), used.end(),
              [](const Candidate &a, const Candidate &b) { return a.name < b.name; });
    aligned.errors.resize(Eigen::Index(used.size()));
    for (size_t i = 0; i < used.size(); ++i) {
        aligned.llms << used[i].name;
        aligned.bpbRows.push_back(used[i].row);
        aligned.errors[Eigen::Index(i)] = used[i].error;
    }

    // Averaging an error rate with a perplexity lets the perplexity decide alone: say so.
    if (benchmarkRows.size() > 1) {
        double smallest = HUGE_VAL, largest = 0.0;
        for (qsizetype row : benchmarkRows) {
            double spread = 0.0;
            for (Eigen::Index i = 0; i < errors.values.cols(); ++i)
                if (!std::isnan(errors.values(row, i)))
                    spread = std::max(spread, std::abs(errors.values(row, i)));
            smallest = std::min(smallest, spread);
            largest = std::max(largest, spread);
        }
        if (smallest > 0.0 && largest / smallest > 100.0)
            aligned.warnings.append(Error::badInput(
                QStringLiteral(
                    "the averaged benchmarks differ in scale by a factor of %1; the largest "
                    "dominates the mean")
                    .arg(largest / smallest, 0, 'g', 3),
                errorsFile));
    }
    return aligned;
}

}  // namespace pcs

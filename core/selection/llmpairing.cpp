#include "core/selection/llmpairing.h"

#include "core/io/textutil.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace pcs::detail {

namespace {

const WarningKind kSameKeyBpb { QStringLiteral("BPB-file names that match one LLM of the "
                                               "benchmark file and have identical values: one "
                                               "model, the first name is used"),
                                QStringLiteral("pair") };
const WarningKind kSameKeyErrors { QStringLiteral("benchmark-file names that match one LLM of "
                                                  "the BPB file and have identical values: one "
                                                  "model, the first name is used"),
                                   QStringLiteral("pair") };
const WarningKind kIdenticalBpb { QStringLiteral("LLMs with identical BPB values in every text: "
                                                 "probably one model counted twice "
                                                 "(--dedupe-llms keeps the first)"),
                                  QStringLiteral("pair") };
const WarningKind kIdenticalBpbDropped { QStringLiteral("LLMs with identical BPB values in every "
                                                        "text: the first is kept, the other "
                                                        "dropped (--dedupe-llms)"),
                                         QStringLiteral("pair") };
const WarningKind kSameIdUnmatched { QStringLiteral("LLMs not matched by exact name have the "
                                                    "same Hugging Face id as an unmatched LLM of "
                                                    "the other file: --match hf-id would match "
                                                    "them"),
                                     QStringLiteral("LLM") };

// Values as a duplicate check sees them: a missing value equals a missing value.
bool sameValue(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

bool identicalColumns(const Eigen::MatrixXd &m, Eigen::Index a, Eigen::Index b)
{
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        if (!sameValue(m(i, a), m(i, b)))
            return false;
    return true;
}

const QString kNotInErrors = QStringLiteral("not in the benchmark file");
const QString kNotInBpb = QStringLiteral("not in the BPB file");

}  // namespace

QString quotedLlm(const QString &name)
{
    const bool plain
        = name.size() <= 300 && std::none_of(name.begin(), name.end(), [](QChar c) {
              return c.category() == QChar::Other_Control || c.category() == QChar::Other_Format;
          });
    return plain ? QLatin1Char('"') + name + QLatin1Char('"') : io::quoteForMessage(name);
}

QString firstLlms(const QStringList &names, int count)
{
    QStringList shown;
    for (const QString &name : names.mid(0, count))
        shown << quotedLlm(name);
    QString text = shown.join(QStringLiteral(", "));
    if (names.size() > count)
        text += QStringLiteral(", … (%1 in all)").arg(names.size());
    return text;
}

BpbRowFacts rowFactsOf(const Eigen::MatrixXd &m, const QStringList &texts)
{
    const auto rows = size_t(m.rows());
    BpbRowFacts facts;
    facts.missingCount.assign(rows, 0);
    facts.firstMissingText.assign(rows, QString());
    facts.hash.assign(rows, bpbRowHashStart());
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        const double *column = m.col(j).data();
        for (size_t i = 0; i < rows; ++i) {
            const double v = column[i] == 0.0 ? 0.0 : column[i];  // -0 is 0
            if (std::isnan(v) && facts.missingCount[i]++ == 0)
                facts.firstMissingText[i] = texts.value(j);
            quint64 bits = 0;
            std::memcpy(&bits, &v, sizeof bits);
            facts.hash[i] = (facts.hash[i] ^ bits) * 1099511628211ull;
        }
    }
    facts.identical = [&m](Eigen::Index a, Eigen::Index b) {
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            if (!sameValue(m(a, j), m(b, j)))
                return false;
        return true;
    };
    return facts;
}

LlmPairing::LlmPairing(const QStringList &bpbLlms, const BpbRowFacts &facts,
                       const BenchmarkErrors &errors, const AlignOptions &options,
                       const QString &bpbFile, const QString &errorsFile)
    : m_bpbLlms(bpbLlms)
    , m_facts(facts)
    , m_errors(errors)
    , m_options(options)
    , m_bpbFile(bpbFile)
    , m_errorsFile(errorsFile)
    , m_bpbReason(size_t(bpbLlms.size()))
    , m_errorsReason(size_t(errors.llms.size()))
    , m_mapped(size_t(bpbLlms.size()), false)
{
}

QString LlmPairing::sameKeyText(const QString &key, int mappedCount) const
{
    const QString byKey = m_options.matching == LlmMatching::HfId
        ? QStringLiteral("the same Hugging Face id '%1'").arg(key)
        : QStringLiteral("the same name");
    if (mappedCount == 2)
        return QStringLiteral("both mapped to it by %1").arg(m_options.llmMap->path);
    if (mappedCount == 1)
        return QStringLiteral("one mapped to it by %1, the other by %2")
            .arg(m_options.llmMap->path, byKey);
    return byKey;
}

Status LlmPairing::match()
{
    const bool byId = m_options.matching == LlmMatching::HfId;
    auto keyOf = [&](const QString &name) { return byId ? huggingFaceId(name) : name; };
    std::vector<QString> errorsKey(size_t(m_errors.llms.size()));
    for (qsizetype i = 0; i < m_errors.llms.size(); ++i)
        errorsKey[size_t(i)] = keyOf(m_errors.llms[i]);
    std::vector<QString> bpbKey(size_t(m_bpbLlms.size()));
    for (qsizetype r = 0; r < m_bpbLlms.size(); ++r)
        bpbKey[size_t(r)] = keyOf(m_bpbLlms[r]);
    if (m_options.llmMap) {
        QHash<QString, qsizetype> bpbRowOf, errorsColumnOf;
        for (qsizetype r = m_bpbLlms.size() - 1; r >= 0; --r)
            bpbRowOf.insert(m_bpbLlms[r], r);
        for (qsizetype i = m_errors.llms.size() - 1; i >= 0; --i)
            errorsColumnOf.insert(m_errors.llms[i], i);
        for (const LlmMapEntry &entry : m_options.llmMap->entries) {
            const qsizetype row = bpbRowOf.value(entry.bpbName, -1);
            const qsizetype column = errorsColumnOf.value(entry.errorsName, -1);
            if (row < 0 || column < 0) {
                const QStringList &names = row >= 0 ? m_errors.llms : m_bpbLlms;
                const QString &name = row >= 0 ? entry.errorsName : entry.bpbName;
                const QStringList closest = ClosestNames(names, LlmMatching::Exact).closestTo(name);
                return Error::badInput(
                    QStringLiteral("%1 is not an LLM of the %2 file%3")
                        .arg(quotedLlm(name),
                             row >= 0 ? QStringLiteral("benchmark") : QStringLiteral("BPB"),
                             closest.isEmpty()
                                 ? QString()
                                 : QStringLiteral("; closest there: ") + firstLlms(closest)),
                    m_options.llmMap->path, entry.line);
            }
            bpbKey[size_t(row)] = errorsKey[size_t(column)];
            m_mapped[size_t(row)] = true;
        }
    }
    QHash<QString, std::vector<qsizetype>> bpbByKey, errorsByKey;
    QStringList keyOrder;  // BPB keys, first seen first
    for (qsizetype r = 0; r < m_bpbLlms.size(); ++r) {
        auto &rows = bpbByKey[bpbKey[size_t(r)]];
        if (rows.empty())
            keyOrder << bpbKey[size_t(r)];
        rows.push_back(r);
    }
    for (qsizetype i = 0; i < m_errors.llms.size(); ++i)
        errorsByKey[errorsKey[size_t(i)]].push_back(i);

    for (const QString &key : keyOrder) {
        const std::vector<qsizetype> &rows = bpbByKey[key];
        const auto partners = errorsByKey.constFind(key);
        if (partners == errorsByKey.cend()) {
            for (qsizetype r : rows)
                m_bpbReason[size_t(r)] = kNotInErrors;
            continue;
        }
        if (Status merged = mergeSameKey(key, rows, *partners); !merged)
            return merged;
        pairs.push_back({ rows[0], partners->front() });
    }
    for (qsizetype i = 0; i < m_errors.llms.size(); ++i)
        if (!bpbByKey.contains(errorsKey[size_t(i)]))
            m_errorsReason[size_t(i)] = kNotInBpb;
    return Done {};
}

// Two names on one side for one LLM of the other: one model if the values agree.
Status LlmPairing::mergeSameKey(const QString &key, const std::vector<qsizetype> &rows,
                                const std::vector<qsizetype> &columns)
{
    for (size_t k = 1; k < rows.size(); ++k) {
        const QString &first = m_bpbLlms[rows[0]], &other = m_bpbLlms[rows[k]];
        const QString same
            = sameKeyText(key, int(m_mapped[size_t(rows[0])]) + int(m_mapped[size_t(rows[k])]));
        if (!m_facts.identical(rows[0], rows[k]))
            return Error::badInput(
                QStringLiteral("%1 and %2 (BPB file) both match %3 of the benchmark file (%4) "
                               "but have different BPB values: which one is it? Say so in an "
                               "--llm-map file")
                    .arg(quotedLlm(first), quotedLlm(other), quotedLlm(m_errors.llms[columns[0]]),
                         same),
                m_bpbFile);
        const QString why = QStringLiteral("%1, identical BPB values").arg(same);
        duplicates.append({ first, other, why, true });
        m_bpbReason[size_t(rows[k])]
            = QStringLiteral("duplicate of %1 (%2)").arg(quotedLlm(first), why);
        warnings.add(
            kSameKeyBpb,
            Error::badInput(QStringLiteral("%1 and %2").arg(quotedLlm(first), quotedLlm(other)),
                            m_bpbFile));
    }
    for (size_t k = 1; k < columns.size(); ++k) {
        const QString &first = m_errors.llms[columns[0]], &other = m_errors.llms[columns[k]];
        const QString same = sameKeyText(key, 0);
        if (!identicalColumns(m_errors.values, columns[0], columns[k]))
            return Error::badInput(
                QStringLiteral("%1 and %2 (benchmark file) both match %3 of the BPB file (%4) "
                               "but have different benchmark values: which one is it? Say so "
                               "in an --llm-map file")
                    .arg(quotedLlm(first), quotedLlm(other), quotedLlm(m_bpbLlms[rows[0]]), same),
                m_errorsFile);
        const QString why = QStringLiteral("%1, identical benchmark values").arg(same);
        duplicates.append({ first, other, why, true });
        m_errorsReason[size_t(columns[k])]
            = QStringLiteral("duplicate of %1 (%2)").arg(quotedLlm(first), why);
        warnings.add(
            kSameKeyErrors,
            Error::badInput(QStringLiteral("%1 and %2").arg(quotedLlm(first), quotedLlm(other)),
                            m_errorsFile));
    }
    return Done {};
}

void LlmPairing::findIdenticalRows(const std::vector<bool> &completeRow)
{
    std::vector<Eigen::Index> rows;
    std::vector<size_t> pairOfRow;
    for (size_t p = 0; p < pairs.size(); ++p) {
        if (completeRow[size_t(pairs[p].row)]) {
            rows.push_back(pairs[p].row);
            pairOfRow.push_back(p);
        }
    }
    // In BPB file order: each row is compared with the earlier kept rows of the same hash, so
    // the first name is the one kept and each duplicate is reported once.
    QHash<quint64, std::vector<size_t>> keptByHash;
    std::vector<bool> dropped(pairs.size(), false);
    for (size_t c = 0; c < rows.size(); ++c) {
        const size_t other = pairOfRow[c];
        std::vector<size_t> &bucket = keptByHash[m_facts.hash[size_t(rows[c])]];
        const auto kept = std::find_if(bucket.begin(), bucket.end(), [&](size_t k) {
            return m_facts.identical(pairs[k].row, pairs[other].row);
        });
        if (kept == bucket.end()) {
            bucket.push_back(other);
            continue;
        }
        const LlmPair &first = pairs[*kept];
        const bool sameErrors
            = identicalColumns(m_errors.values, first.column, pairs[other].column);
        const QString why = sameErrors
            ? QStringLiteral("identical BPB values in every text and identical benchmark values")
            : QStringLiteral("identical BPB values in every text, different benchmark values");
        const QString &keptName = m_bpbLlms[first.row];
        const QString &otherName = m_bpbLlms[pairs[other].row];
        const bool dedupe = m_options.dedupeLlms;
        duplicates.append({ keptName, otherName, why, dedupe });
        warnings.add(
            dedupe ? kIdenticalBpbDropped : kIdenticalBpb,
            Error::badInput(
                QStringLiteral("%1 and %2, %3").arg(quotedLlm(keptName), quotedLlm(otherName), why),
                m_bpbFile));
        if (dedupe) {
            dropped[other] = true;
            m_bpbReason[size_t(pairs[other].row)]
                = QStringLiteral("duplicate of %1 (%2; --dedupe-llms)")
                      .arg(quotedLlm(keptName), why);
        }
    }
    std::vector<LlmPair> kept;
    for (size_t p = 0; p < pairs.size(); ++p)
        if (!dropped[p])
            kept.push_back(pairs[p]);
    pairs = std::move(kept);
}

void LlmPairing::addClosest(DroppedLlm &llm, const QStringList &closest) const
{
    llm.closest = closest;
    if (closest.isEmpty())
        return;
    const bool byName = m_options.matching == LlmMatching::Exact;
    const QString id = huggingFaceId(llm.name);
    QStringList shown;
    for (const QString &name : closest) {
        const QString otherId = huggingFaceId(name);
        QString note;
        if (byName && otherId == id)
            note = QStringLiteral(" (same Hugging Face id)");
        else if (withoutRevision(otherId) == withoutRevision(id))
            note = QStringLiteral(" (another revision)");
        shown << quotedLlm(name) + note;
    }
    llm.reason += QStringLiteral("; closest there: ") + shown.join(QStringLiteral(", "));
}

QList<DroppedLlm> LlmPairing::dropped(const std::vector<QString> &extraBpbReasons)
{
    const bool byName = m_options.matching == LlmMatching::Exact;
    std::optional<ClosestNames> nearErrors, nearBpb;
    QSet<QString> unmatchedErrorIds;
    for (qsizetype i = 0; i < m_errors.llms.size(); ++i)
        if (m_errorsReason[size_t(i)] == kNotInBpb)
            unmatchedErrorIds.insert(huggingFaceId(m_errors.llms[i]));
    QList<DroppedLlm> list;
    for (qsizetype r = 0; r < m_bpbLlms.size(); ++r) {
        DroppedLlm llm { m_bpbLlms[r], m_bpbReason[size_t(r)], {} };
        if (llm.reason.isEmpty())
            llm.reason = extraBpbReasons[size_t(r)];
        if (llm.reason.isEmpty())
            continue;
        if (llm.reason == kNotInErrors) {
            if (!nearErrors)
                nearErrors.emplace(m_errors.llms, m_options.matching);
            addClosest(llm, nearErrors->closestTo(llm.name));
            if (byName && unmatchedErrorIds.contains(huggingFaceId(llm.name)))
                warnings.add(kSameIdUnmatched, Error::badInput(quotedLlm(llm.name), m_bpbFile));
        }
        list.append(llm);
    }
    for (qsizetype i = 0; i < m_errors.llms.size(); ++i) {
        DroppedLlm llm { m_errors.llms[i], m_errorsReason[size_t(i)], {} };
        if (llm.reason.isEmpty())
            continue;
        if (llm.reason == kNotInBpb) {
            if (!nearBpb)
                nearBpb.emplace(m_bpbLlms, m_options.matching);
            addClosest(llm, nearBpb->closestTo(llm.name));
        }
        list.append(llm);
    }
    return list;
}

}  // namespace pcs::detail

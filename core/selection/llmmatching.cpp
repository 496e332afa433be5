#include "core/selection/llmmatching.h"

#include "core/io/csvreader.h"
#include "core/io/mappedfile.h"
#include "core/io/pyliteral.h"
#include "core/io/textutil.h"

#include <QHash>

#include <algorithm>
#include <tuple>

namespace pcs {

using namespace io;

QString llmMatchingName(LlmMatching matching)
{
    return matching == LlmMatching::HfId ? QStringLiteral("hf-id") : QStringLiteral("exact");
}

std::optional<LlmMatching> llmMatchingFromName(const QString &name)
{
    if (name == QLatin1String("exact"))
        return LlmMatching::Exact;
    if (name == QLatin1String("hf-id"))
        return LlmMatching::HfId;
    return std::nullopt;
}

QString huggingFaceId(const QString &name)
{
    QString id = name.trimmed();
    if (id.startsWith(QLatin1Char('(')) || id.startsWith(QLatin1Char('['))) {
        // The package names LLMs by str((family, hf_id)); pyliteral reads dict values, so the
        // tuple is read as the value of a one-entry dict.
        const std::string wrapped = "{'name': " + id.toStdString() + "}";
        PyDict dict;
        QString error;
        if (parsePyDict(wrapped, &dict, &error)) {
            const PyValue &tuple = dict.entries.front().second;
            for (auto it = tuple.items.rbegin(); it != tuple.items.rend(); ++it) {
                if (it->kind == PyValue::String) {
                    id = QString::fromStdString(it->text).trimmed();
                    break;
                }
            }
        }
    }
    id = id.toLower();
    if (id.endsWith(QLatin1String("@main")))
        id.chop(5);
    return id;
}

QString withoutRevision(const QString &id)
{
    const qsizetype at = id.lastIndexOf(QLatin1Char('@'));
    return at > 0 ? id.left(at) : id;
}

Result<LlmMap> loadLlmMap(const QString &path)
{
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    const std::string_view text = file.text();
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    const qsizetype bpbIndex = header->names.indexOf(QStringLiteral("bpb_name"));
    const qsizetype errorsIndex = header->names.indexOf(QStringLiteral("errors_name"));
    if (bpbIndex < 0 || errorsIndex < 0)
        return Error::badInput(QStringLiteral("an LLM map needs the columns bpb_name and "
                                              "errors_name; the header has: %1")
                                   .arg(listColumns(header->names)),
                               path, header->line);

    const char *end = text.data() + text.size();
    CsvRecordReader reader(
        std::string_view(header->bodyBegin, std::size_t(end - header->bodyBegin)),
        header->delimiter, header->bodyLine);
    LlmMap map;
    map.path = path;
    QHash<QString, qint64> bpbLines;
    const auto fieldCount = std::size_t(header->names.size());
    while (reader.next()) {
        const auto &fields = reader.fields();
        const qint64 line = reader.recordLine();
        if (fields.size() != fieldCount)
            return Error::badInput(QStringLiteral("ragged row: expected %1 fields (as in the "
                                                  "header), found %2")
                                       .arg(fieldCount)
                                       .arg(fields.size()),
                                   path, line, qint64(std::min(fieldCount, fields.size())) + 1);
        LlmMapEntry entry;
        entry.line = line;
        for (const auto &[index, name] : { std::pair { bpbIndex, &entry.bpbName },
                                           std::pair { errorsIndex, &entry.errorsName } }) {
            CsvIssue issue;
            if (!checkName(fields[std::size_t(index)], "LLM name", line, index + 1, issue))
                return csvError(issue, path);
            *name = toQString(fields[std::size_t(index)]).trimmed();
        }
        if (const auto first = bpbLines.constFind(entry.bpbName); first != bpbLines.cend())
            return Error::badInput(QStringLiteral("the BPB LLM %1 is mapped twice (first on "
                                                  "line %2)")
                                       .arg(quoteForMessage(entry.bpbName))
                                       .arg(*first),
                                   path, line, bpbIndex + 1);
        bpbLines.insert(entry.bpbName, line);
        map.entries.append(entry);
    }
    if (reader.failed())
        return csvError(reader.issue(), path);
    return map;
}

int boundedEditDistance(const QString &a, const QString &b, int limit)
{
    const qsizetype n = a.size(), m = b.size();
    if (std::abs(n - m) > limit)
        return limit + 1;
    // Two rows of the classic table; cells outside the band |i - j| <= limit cannot be within
    // the limit and stay at limit + 1.
    const int beyond = limit + 1;
    std::vector<int> previous(size_t(m + 1)), current(size_t(m + 1));
    for (qsizetype j = 0; j <= m; ++j)
        previous[size_t(j)] = j <= limit ? int(j) : beyond;
    for (qsizetype i = 1; i <= n; ++i) {
        const qsizetype from = std::max<qsizetype>(1, i - limit);
        const qsizetype to = std::min<qsizetype>(m, i + limit);
        std::fill(current.begin(), current.end(), beyond);
        current[0] = i <= limit ? int(i) : beyond;
        int rowBest = current[0];
        for (qsizetype j = from; j <= to; ++j) {
            const int substitute = previous[size_t(j - 1)] + (a[i - 1] == b[j - 1] ? 0 : 1);
            const int cell = std::min(
                { substitute, previous[size_t(j)] + 1, current[size_t(j - 1)] + 1, beyond });
            current[size_t(j)] = cell;
            rowBest = std::min(rowBest, cell);
        }
        if (rowBest > limit)
            return beyond;  // every later row is at least as far
        std::swap(previous, current);
    }
    return std::min(previous[size_t(m)], beyond);
}

ClosestNames::ClosestNames(const QStringList &candidates, LlmMatching matching)
    : m_names(candidates)
    , m_matching(matching)
{
    m_keys.reserve(size_t(candidates.size()));
    m_ids.reserve(size_t(candidates.size()));
    for (const QString &name : candidates) {
        m_ids.push_back(huggingFaceId(name));
        m_keys.push_back(matching == LlmMatching::HfId ? m_ids.back() : name.toLower());
    }
}

QStringList ClosestNames::closestTo(const QString &name, int count) const
{
    const QString id = huggingFaceId(name);
    const QString key = m_matching == LlmMatching::HfId ? id : name.toLower();
    // (kinship, distance, name): kinship 0 = the same id (matching by name), 1 = the same model
    // at another revision, 2 = only near in spelling.
    const QString base = withoutRevision(id);
    std::vector<std::tuple<int, int, QString>> found;
    for (size_t c = 0; c < m_keys.size(); ++c) {
        const bool sameId = m_matching == LlmMatching::Exact && m_ids[c] == id;
        const bool sameModel = withoutRevision(m_ids[c]) == base;
        const int limit = std::max<int>(3, int(std::max(key.size(), m_keys[c].size()) / 3));
        const int distance = boundedEditDistance(key, m_keys[c], limit);
        if (sameId || sameModel || distance <= limit)
            found.emplace_back(sameId ? 0 : sameModel ? 1 : 2, distance, m_names[qsizetype(c)]);
    }
    const size_t kept = std::min(found.size(), size_t(std::max(count, 0)));
    std::partial_sort(found.begin(), found.begin() + qsizetype(kept), found.end());
    QStringList closest;
    for (size_t i = 0; i < kept; ++i)
        closest << std::get<2>(found[i]);
    return closest;
}

}  // namespace pcs

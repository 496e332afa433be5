#include "core/selection/shardedprojection.h"

#include "core/io/fileinfo.h"
#include "core/io/namedvalues.h"
#include "core/io/textutil.h"
#include "core/selection/accuratesum.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <queue>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace pcs {

namespace {

const QString kCutFormat = QStringLiteral("pcstudio-projection-cut");
// Στ may fall short of 1 by this much and still count as 1 (as in projection.cpp).
constexpr double kTauSumTolerance = 1e-12;

// Doubles travel as their shortest round-trip text: JSON readers may not keep every bit.
QString exactText(double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QString::fromLatin1(buffer, int(result.ptr - buffer));
}

bool fromExactText(const QJsonValue &value, double &out)
{
    const QByteArray text = value.toString().toLatin1();
    const auto parsed = std::from_chars(text.constData(), text.constData() + text.size(), out);
    return !text.isEmpty() && parsed.ec == std::errc()
        && parsed.ptr == text.constData() + text.size();
}

QString tauSourceText(TauSpec::Source source)
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

// Larger estimate first; ties: lower global index first (projection.cpp's order).
struct Entry {
    double value;
    qint64 index;
    double tau;
};
bool before(const Entry &a, const Entry &b)
{
    return a.value > b.value || (a.value == b.value && a.index < b.index);
}

// Per-text caps as the single run makes them (selectionrun.cpp resolveTau, projection.cpp).
class Caps {
public:
    static Result<Caps> load(const TauSpec &spec)
    {
        Caps caps;
        caps.m_spec = spec;
        if (spec.source == TauSpec::Source::Uniform)
            return caps;
        const bool isCapsFile = spec.source == TauSpec::Source::File;
        auto table = loadNamedValues(spec.path, QStringLiteral("text"),
                                     isCapsFile ? QStringLiteral("tau") : QStringLiteral("tokens"));
        if (!table)
            return table.error();
        caps.m_byName.reserve(table->names.size());
        for (qsizetype i = 0; i < table->names.size(); ++i)
            caps.m_byName.insert(table->names[i], table->values[std::size_t(i)]);
        return caps;
    }
    bool byName() const { return m_spec.source != TauSpec::Source::Uniform; }
    qsizetype tableSize() const { return m_byName.size(); }
    // The file's value (tokens or tau) for a text; nullopt when it has none.
    std::optional<double> value(std::string_view name) const
    {
        const auto it = m_byName.constFind(io::toQString(name));
        return it == m_byName.cend() ? std::nullopt : std::optional<double>(*it);
    }
    // τ_j from the file's value, given the totals of the first pass.
    double tau(double value, qint64 textCount, double tokenSum) const
    {
        switch (m_spec.source) {
        case TauSpec::Source::Uniform:
            return 1.0 / (double(textCount) * m_spec.keepRatio);
        case TauSpec::Source::TokenCounts:
            return (value / tokenSum) / m_spec.keepRatio;
        case TauSpec::Source::File:
            return value;
        }
        return 0;
    }

private:
    TauSpec m_spec;
    QHash<QString, double> m_byName;
};

// The caps value of one row, or an error for a text the file does not cover.
Result<double> capsValueOf(const Caps &caps, const TauSpec &spec,
                           const EstimateShardReader::Row &row, const QString &shardPath)
{
    if (!caps.byName())
        return 0.0;
    const auto value = caps.value(row.text);
    const bool isCapsFile = spec.source == TauSpec::Source::File;
    if (!value)
        return Error::badInput(
            QStringLiteral("no %1 for text %2 (global index %3, %4 line %5)")
                .arg(isCapsFile ? QStringLiteral("tau") : QStringLiteral("token count"),
                     io::quoteForMessage(row.text))
                .arg(row.index)
                .arg(QFileInfo(shardPath).fileName())
                .arg(row.line),
            spec.path);
    if (!(*value > 0) || !std::isfinite(*value))
        return Error::badInput(
            QStringLiteral("the %1 of text %2 is %3; every %1 must be positive and finite")
                .arg(isCapsFile ? QStringLiteral("tau") : QStringLiteral("token count"),
                     io::quoteForMessage(row.text))
                .arg(*value),
            spec.path);
    return *value;
}

// Streams every row of every shard, checked (estimateshards.h), into `visit(row, shard)`.
template<typename Visit>
Status forEachRow(const QList<ShardFile> &shards, QList<ShardFileRecord> *records, Visit visit)
{
    for (const ShardFile &shard : shards) {
        EstimateShardReader reader;
        if (Status opened = reader.open(shard.path); !opened)
            return opened;
        if (records)
            records->append({ QFileInfo(shard.path).absoluteFilePath(),
                              qint64(reader.bytes().size()), reader.sha256() });
        ShardRowCheck rows(shard);
        EstimateShardReader::Row row;
        while (reader.next(row)) {
            if (Status checked = rows.check(row); !checked)
                return checked;
            if (Status visited = visit(row, shard); !visited)
                return visited;
        }
        if (reader.error())
            return *reader.error();
        if (Status finished = rows.finish(); !finished)
            return finished;
    }
    return Done {};
}

// The candidates of `linear`: the best texts seen whose caps, without the worst of them, stay
// below 1 (plus a margin far above the rounding of the running sum). A text that falls out can
// never be reached: the better ones alone already fill the mass.
class LinearCandidates {
public:
    void add(const Entry &entry)
    {
        m_heap.push(entry);
        m_kept.add(entry.tau);
        m_magnitude += entry.tau;
        while (m_heap.size() > 1) {
            const double worst = m_heap.top().tau;
            if (!(m_kept.value() - worst >= 1 + 1e-9 + 1e-12 * m_magnitude))
                break;
            m_kept.add(-worst);
            m_heap.pop();
            m_dropped = true;
        }
        m_peak = std::max<qint64>(m_peak, qint64(m_heap.size()));
    }
    // Walks the kept texts in order exactly as projection.cpp's projectLinear does.
    Status finish(ProjectionCut &cut)
    {
        std::vector<Entry> entries;
        entries.reserve(m_heap.size());
        while (!m_heap.empty()) {
            entries.push_back(m_heap.top());
            m_heap.pop();
        }
        std::sort(entries.begin(), entries.end(), before);
        cut.candidatesKept = m_peak;
        detail::AccurateSum total;
        for (std::size_t k = 0; k < entries.size(); ++k) {
            const double remaining = 1 - total.value();
            if (entries[k].tau >= remaining) {
                cut.cutIndex = entries[k].index;
                cut.cutEstimate = entries[k].value;
                cut.remainder = std::max(0.0, remaining);
                cut.textsWithWeight = qint64(k) + (cut.remainder > 0 ? 1 : 0);
                return Done {};
            }
            total.add(entries[k].tau);
        }
        if (m_dropped)
            return Error::internal(QStringLiteral("the linear cut was not among the texts kept"));
        cut.cutIndex = -1;  // Στ short of 1 within the tolerance: every text at its cap
        cut.textsWithWeight = qint64(entries.size());
        return Done {};
    }

private:
    std::priority_queue<Entry, std::vector<Entry>, decltype(&before)> m_heap { before };
    detail::AccurateSum m_kept;
    double m_magnitude = 0;
    qint64 m_peak = 0;
    bool m_dropped = false;
};

double weightOf(const ProjectionCut &cut, double estimate, qint64 index, double tau)
{
    if (cut.projection == Projection::L2)
        return detail::l2Weight(cut.l2, index, estimate, tau);
    if (cut.cutIndex < 0)
        return tau;
    if (index == cut.cutIndex)
        return cut.remainder;
    return before({ estimate, index, 0 }, { cut.cutEstimate, cut.cutIndex, 0 }) ? tau : 0.0;
}

}  // namespace

QJsonObject ProjectionCut::toJson() const
{
    QJsonArray files;
    for (const ShardFileRecord &shard : shards)
        files.append(QJsonObject { { QStringLiteral("path"), shard.path },
                                   { QStringLiteral("size_bytes"), double(shard.sizeBytes) },
                                   { QStringLiteral("sha256"), shard.sha256 } });
    QJsonObject o {
        { QStringLiteral("format"), kCutFormat },
        { QStringLiteral("format_version"), 1 },
        { QStringLiteral("projection"), projectionName(projection) },
        { QStringLiteral("tau_source"), tauSourceText(tau.source) },
        { QStringLiteral("text_count"), double(textCount) },
        { QStringLiteral("estimator"), estimator },
        { QStringLiteral("shard_count"), double(shards.size()) },
        { QStringLiteral("shards"), files },
        { QStringLiteral("texts_with_weight"), double(textsWithWeight) },
    };
    if (tau.source != TauSpec::Source::File)
        o.insert(QStringLiteral("keep_ratio"), exactText(tau.keepRatio));
    if (tau.source != TauSpec::Source::Uniform) {
        o.insert(QStringLiteral("caps_file"), tau.path);
        o.insert(QStringLiteral("caps_sha256"), capsSha256);
    }
    if (tau.source == TauSpec::Source::TokenCounts)
        o.insert(QStringLiteral("token_sum"), exactText(tokenSum));
    if (projection == Projection::Linear) {
        o.insert(QStringLiteral("cut_index"), double(cutIndex));
        o.insert(QStringLiteral("cut_estimate"), exactText(cutEstimate));
        o.insert(QStringLiteral("remainder"), exactText(remainder));
        o.insert(QStringLiteral("candidates_kept"), double(candidatesKept));
    } else {
        o.insert(QStringLiteral("lo"), exactText(l2.lo));
        o.insert(QStringLiteral("delta"), exactText(l2.delta));
        QJsonArray moved;
        for (const auto &[index, value] : l2.overrides)
            moved.append(QJsonArray { double(index), exactText(value) });
        o.insert(QStringLiteral("overrides"), moved);
    }
    return o;
}

Result<ProjectionCut> readProjectionCut(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot read the cut: %1").arg(file.errorString()),
                               path);
    QJsonParseError parseError;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll(), &parseError).object();
    const auto bad = [&](const QString &why) {
        return Error::badInput(QStringLiteral("not a cut of `project --cut-only`: %1").arg(why),
                               path);
    };
    if (parseError.error != QJsonParseError::NoError)
        return bad(parseError.errorString());
    if (o.value(QStringLiteral("format")) != kCutFormat)
        return bad(QStringLiteral("format is not %1").arg(kCutFormat));
    ProjectionCut cut;
    const auto projection = projectionFromName(o.value(QStringLiteral("projection")).toString());
    if (!projection)
        return bad(QStringLiteral("unknown projection"));
    cut.projection = *projection;
    const QString source = o.value(QStringLiteral("tau_source")).toString();
    if (source == QLatin1String("uniform"))
        cut.tau.source = TauSpec::Source::Uniform;
    else if (source == QLatin1String("token_counts"))
        cut.tau.source = TauSpec::Source::TokenCounts;
    else if (source == QLatin1String("file"))
        cut.tau.source = TauSpec::Source::File;
    else
        return bad(QStringLiteral("unknown tau_source '%1'").arg(source));
    bool numbersOk = true;
    const auto number = [&](const char *key, double &out) {
        numbersOk = fromExactText(o.value(QLatin1String(key)), out) && numbersOk;
    };
    if (cut.tau.source != TauSpec::Source::File)
        number("keep_ratio", cut.tau.keepRatio);
    if (cut.tau.source != TauSpec::Source::Uniform) {
        cut.tau.path = o.value(QStringLiteral("caps_file")).toString();
        cut.capsSha256 = o.value(QStringLiteral("caps_sha256")).toString();
    }
    if (cut.tau.source == TauSpec::Source::TokenCounts)
        number("token_sum", cut.tokenSum);
    cut.textCount = qint64(o.value(QStringLiteral("text_count")).toDouble(-1));
    cut.estimator = o.value(QStringLiteral("estimator")).toString();
    cut.textsWithWeight = qint64(o.value(QStringLiteral("texts_with_weight")).toDouble());
    for (const QJsonValue &value : o.value(QStringLiteral("shards")).toArray()) {
        const QJsonObject shard = value.toObject();
        cut.shards.append({ shard.value(QStringLiteral("path")).toString(),
                            qint64(shard.value(QStringLiteral("size_bytes")).toDouble(-1)),
                            shard.value(QStringLiteral("sha256")).toString() });
    }
    if (cut.projection == Projection::Linear) {
        cut.cutIndex = qint64(o.value(QStringLiteral("cut_index")).toDouble(-2));
        number("cut_estimate", cut.cutEstimate);
        number("remainder", cut.remainder);
        cut.candidatesKept = qint64(o.value(QStringLiteral("candidates_kept")).toDouble());
        if (cut.cutIndex < -1 || cut.cutIndex >= cut.textCount)
            numbersOk = false;
    } else {
        number("lo", cut.l2.lo);
        number("delta", cut.l2.delta);
        for (const QJsonValue &value : o.value(QStringLiteral("overrides")).toArray()) {
            const QJsonArray pair = value.toArray();
            double moved = 0;
            numbersOk = pair.size() == 2 && fromExactText(pair[1], moved) && numbersOk;
            cut.l2.overrides.emplace_back(Eigen::Index(pair[0].toDouble(-1)), moved);
        }
    }
    if (!numbersOk || cut.textCount < 0 || cut.shards.isEmpty() || cut.estimator.isEmpty())
        return bad(QStringLiteral("a field is missing or malformed"));
    return cut;
}

Result<ProjectionCut> computeProjectionCut(const QStringList &shardPaths, const TauSpec &tau,
                                           Projection projection, Warnings *warnings)
{
    auto shards = readShardSet(shardPaths);
    if (!shards)
        return shards.error();
    auto caps = Caps::load(tau);
    if (!caps)
        return caps.error();
    ProjectionCut cut;
    cut.projection = projection;
    cut.tau = tau;
    if (tau.source != TauSpec::Source::Uniform) {
        cut.tau.path = QFileInfo(tau.path).absoluteFilePath();
        auto described = describeInputFile(QStringLiteral("caps"), tau.path);
        if (!described)
            return described.error();
        cut.capsSha256 = described->sha256;
    }
    cut.estimator = shards->first().info.estimator;
    cut.textCount = shards->first().info.textCount;

    // Pass 1: every row checked, the shards' identities, the totals the caps need.
    detail::AccurateSum tokenSum;
    double capsFileSum = 0;
    qint64 texts = 0;
    Status first
        = forEachRow(*shards, &cut.shards,
                     [&](const EstimateShardReader::Row &row, const ShardFile &shard) -> Status {
                         ++texts;
                         auto value = capsValueOf(*caps, tau, row, shard.path);
                         if (!value)
                             return value.error();
                         tokenSum.add(*value);
                         capsFileSum += *value;
                         return Done {};
                     });
    if (!first)
        return first.error();
    if (texts == 0)
        return Error::badInput(QStringLiteral("there are no texts to project: every shard is "
                                              "empty"),
                               shardPaths.first());
    if (caps->byName() && caps->tableSize() > texts && warnings)
        warnings->append(Error::badInput(
            QStringLiteral("%1 entries name texts that are not in the selection; ignored")
                .arg(caps->tableSize() - texts),
            tau.path));
    cut.tokenSum = tokenSum.value();
    if (tau.source == TauSpec::Source::TokenCounts && !std::isfinite(cut.tokenSum))
        return Error::badInput(
            QStringLiteral("the token counts sum to more than a double can hold"), tau.path);
    if (tau.source == TauSpec::Source::File && capsFileSum < 1.0 - kTauSumTolerance)
        return Error::badInput(QStringLiteral("the caps sum to %1; they must sum to at least 1")
                                   .arg(capsFileSum, 0, 'g', 17),
                               tau.path);

    // Pass 2: the cut itself.
    detail::AccurateSum tauSum;
    LinearCandidates candidates;
    std::vector<double> estimates, caps2;
    if (projection == Projection::L2) {
        estimates.reserve(std::size_t(texts));
        caps2.reserve(std::size_t(texts));
    }
    Status second = forEachRow(
        *shards, nullptr,
        [&](const EstimateShardReader::Row &row, const ShardFile &shard) -> Status {
            auto value = capsValueOf(*caps, tau, row, shard.path);
            if (!value)
                return value.error();
            const double t = caps->tau(*value, texts, cut.tokenSum);
            if (!(t > 0) || !std::isfinite(t))
                return Error::badInput(QStringLiteral("the cap (tau) of text %1 is %2; every "
                                                      "cap must be positive and finite")
                                           .arg(row.index)
                                           .arg(t),
                                       shard.path, row.line);
            tauSum.add(t);
            if (projection == Projection::L2) {
                estimates.push_back(row.estimate);
                caps2.push_back(t);
            } else {
                candidates.add({ row.estimate, row.index, t });
            }
            return Done {};
        });
    if (!second)
        return second.error();
    if (tauSum.value() < 1 - kTauSumTolerance)
        return Error::badInput(QStringLiteral("the caps (tau) sum to %1, less than 1: no "
                                              "distribution fits under them (keep a larger "
                                              "fraction of the pool)")
                                   .arg(tauSum.value(), 0, 'g', 17),
                               tau.path.isEmpty() ? shardPaths.first() : tau.path);
    if (projection == Projection::Linear) {
        if (Status done = candidates.finish(cut); !done)
            return done.error();
    } else {
        const Eigen::Map<const Eigen::VectorXd> e(estimates.data(), Eigen::Index(estimates.size()));
        const Eigen::Map<const Eigen::VectorXd> t(caps2.data(), Eigen::Index(caps2.size()));
        cut.l2 = detail::l2Shift(e, t);
        for (Eigen::Index j = 0; j < e.size(); ++j)
            cut.textsWithWeight += detail::l2Weight(cut.l2, j, e[j], t[j]) > 0 ? 1 : 0;
    }
    return cut;
}

Result<SelectionTable> projectShard(const QString &shardPath, const ProjectionCut &cut,
                                    Warnings *warnings)
{
    Q_UNUSED(warnings);
    auto info = readEstimateShardInfo(shardPath);
    if (!info)
        return info.error();
    const int index = info->shard.index;
    if (info->shard.count != cut.shards.size() || info->textCount != cut.textCount
        || info->estimator != cut.estimator)
        return Error::badInput(QStringLiteral("this shard (%1 of %2 over %3 texts, %4) is not of "
                                              "the sharded estimate the cut was made from (%5 "
                                              "shards over %6 texts, %7)")
                                   .arg(index)
                                   .arg(info->shard.count)
                                   .arg(info->textCount)
                                   .arg(info->estimator)
                                   .arg(cut.shards.size())
                                   .arg(cut.textCount)
                                   .arg(cut.estimator),
                               shardPath);
    const ShardFile shard { shardPath, *info };
    EstimateShardReader reader;
    if (Status opened = reader.open(shardPath); !opened)
        return opened.error();
    const ShardFileRecord &record = cut.shards[index];
    if (qint64(reader.bytes().size()) != record.sizeBytes || reader.sha256() != record.sha256)
        return Error::badInput(QStringLiteral("not the file the cut was made from: the cut's "
                                              "shard %1 is %2 (%3 bytes, SHA-256 %4…); make the "
                                              "cut again from the current shards")
                                   .arg(index)
                                   .arg(record.path)
                                   .arg(record.sizeBytes)
                                   .arg(record.sha256.left(12)),
                               shardPath);
    auto caps = Caps::load(cut.tau);
    if (!caps)
        return caps.error();

    SelectionTable table;
    const qint64 size = info->texts.size();
    table.texts.reserve(size);
    table.estimate.resize(size);
    table.tau.resize(size);
    table.weight.resize(size);
    std::vector<Entry> own;
    own.reserve(std::size_t(size));
    ShardRowCheck rows(shard);
    EstimateShardReader::Row row;
    qint64 k = 0;
    while (reader.next(row)) {
        if (Status checked = rows.check(row); !checked)
            return checked.error();
        auto value = capsValueOf(*caps, cut.tau, row, shardPath);
        if (!value)
            return value.error();
        const double t = caps->tau(*value, cut.textCount, cut.tokenSum);
        table.texts.append(io::toQString(row.text));
        table.estimate[k] = row.estimate;
        table.tau[k] = t;
        table.weight[k] = weightOf(cut, row.estimate, row.index, t);
        own.push_back({ row.estimate, row.index, double(k) });  // tau: the row, for the rank
        ++k;
    }
    if (reader.error())
        return *reader.error();
    if (Status finished = rows.finish(); !finished)
        return finished.error();

    // Global ranks: how many texts of all shards come before each of this shard's.
    std::sort(own.begin(), own.end(), before);
    std::vector<qint64> startsBefore(own.size() + 1, 0);
    for (qsizetype s = 0; s < cut.shards.size(); ++s) {
        const ShardFileRecord &other = cut.shards[s];
        EstimateShardReader all;
        if (Status opened = all.open(other.path); !opened)
            return opened.error();
        if (qint64(all.bytes().size()) != other.sizeBytes || all.sha256() != other.sha256)
            return Error::badInput(QStringLiteral("shard %1 of the cut changed since the cut was "
                                                  "made (size or SHA-256 differs); make the cut "
                                                  "again")
                                       .arg(s),
                                   other.path);
        while (all.next(row)) {
            const Entry entry { row.estimate, row.index, 0 };
            const auto first = std::partition_point(
                own.begin(), own.end(), [&](const Entry &mine) { return !before(entry, mine); });
            ++startsBefore[std::size_t(first - own.begin())];
        }
        if (all.error())
            return *all.error();
    }
    table.rank.resize(size);
    qint64 running = 0;
    for (std::size_t p = 0; p < own.size(); ++p) {
        running += startsBefore[p];
        table.rank[Eigen::Index(own[p].tau)] = int(running + 1);
    }
    return table;
}

Result<NamedValues> loadEstimateFiles(const QStringList &paths)
{
    NamedValues all;
    const auto isShard
        = [](const QString &path) { return EstimateShardReader::hasIndexColumn(path); };
    if (std::any_of(paths.begin(), paths.end(), isShard)) {
        auto shards = readShardSet(paths);
        if (!shards)
            return shards.error();
        Status read
            = forEachRow(*shards, nullptr,
                         [&](const EstimateShardReader::Row &row, const ShardFile &) -> Status {
                             all.names.append(io::toQString(row.text));
                             all.values.push_back(row.estimate);
                             return Done {};
                         });
        if (!read)
            return read.error();
        if (all.names.isEmpty())
            return Error::badInput(QStringLiteral("there are no texts: every shard is empty"),
                                   paths.first());
        return all;
    }
    QHash<QString, QString> fileOf;
    for (const QString &path : paths) {
        auto table = loadNamedValues(path, QStringLiteral("text"), QStringLiteral("estimate"));
        if (!table)
            return table.error();
        for (qsizetype i = 0; i < table->names.size(); ++i) {
            const QString &name = table->names[i];
            if (const auto seen = fileOf.constFind(name); seen != fileOf.cend())
                return Error::badInput(QStringLiteral("text %1 is also in %2: each text may be in "
                                                      "one estimate file only")
                                           .arg(io::quoteForMessage(name), *seen),
                                       path);
            fileOf.insert(name, path);
            all.names.append(name);
            all.values.push_back(table->values[std::size_t(i)]);
        }
    }
    return all;
}

}  // namespace pcs

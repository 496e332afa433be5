#include "core/filter/filterapply.h"

#include "core/common/parallel.h"
#include "core/filter/cleaning.h"
#include "core/filter/fasttextmodel.h"
#include "core/filter/filterevaluation.h"
#include "core/io/atomicwrite.h"
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/io/outputpaths.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <deque>

namespace pcs {

namespace {

constexpr std::size_t kBatchBytes = 1 << 20;
constexpr std::size_t kBatchLines = 4096;

struct LineRef {
    std::uint32_t offset;
    std::uint32_t length;
    qint64 number;
};

// Lines copied out of the reader, to be scored on another thread.
struct Batch {
    int file = 0;
    std::string bytes;
    std::vector<LineRef> lines;
};

struct BatchOutput {
    std::string bytes;
    qint64 lines = 0;
    qint64 written = 0;
    qint64 kept = 0;
    std::vector<Error> problems;
    std::vector<double> scores;  // only when sampling
};

bool isBlank(std::string_view line)
{
    for (const char c : line)
        if (c != ' ' && c != '\t')
            return false;
    return true;
}

void appendScore(std::string &out, double score)
{
    char buffer[32];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, score).ptr;
    out.append(buffer, end);
}

struct Scorer {
    const FastTextModel &model;
    const FilterApplyOptions &options;
    const QStringList &files;
    double threshold = 0;
    bool sampling = false;  // only collect scores

    BatchOutput run(const Batch &batch) const
    {
        BatchOutput out;
        out.bytes.reserve(options.mode == ApplyMode::Score
                              ? batch.lines.size() * 24
                              : batch.bytes.size() + batch.lines.size() * 32);
        JsonLineScanner scanner({ options.textField.toStdString() });
        const std::string_view all(batch.bytes);
        for (const LineRef &ref : batch.lines) {
            const std::string_view line = all.substr(ref.offset, ref.length);
            ++out.lines;
            std::optional<Error> bad;
            if (const auto problem = scanner.scan(line))
                bad = Error::badInput(problem->reason, files[batch.file], ref.number,
                                      problem->column);
            else if (scanner.field(0).kind == JsonLineScanner::Kind::Missing)
                bad = Error::badInput(QStringLiteral("no \"%1\" field").arg(options.textField),
                                      files[batch.file], ref.number);
            else if (scanner.field(0).kind != JsonLineScanner::Kind::String)
                bad = Error::badInput(
                    QStringLiteral("\"%1\" is not a string").arg(options.textField),
                    files[batch.file], ref.number);
            if (bad) {
                if (sampling)
                    continue;
                out.problems.push_back(*bad);
                if (options.malformed == MalformedPolicy::Pass) {
                    if (options.mode == ApplyMode::Score)
                        out.bytes.append("null");
                    else
                        out.bytes.append(line);
                    out.bytes.push_back('\n');
                    ++out.written;
                }
                continue;
            }
            const double score = model.scoreInclude(cleanForFastText(scanner.field(0).value));
            if (sampling) {
                out.scores.push_back(score);
                continue;
            }
            const bool keep = score >= threshold;
            out.kept += keep ? 1 : 0;
            switch (options.mode) {
            case ApplyMode::Keep:
            case ApplyMode::Drop:
                if (keep != (options.mode == ApplyMode::Keep))
                    continue;
                out.bytes.append(line);
                break;
            case ApplyMode::Score:
                appendScore(out.bytes, score);
                break;
            case ApplyMode::Annotate: {
                std::string value;
                appendScore(value, score);
                out.bytes.append(
                    withAddedMember(line, scanner.closingBrace(), "pcstudio_score", value));
                break;
            }
            }
            out.bytes.push_back('\n');
            ++out.written;
        }
        return out;
    }
};

// Where the output goes: standard output, or a file that appears only when complete (through
// AtomicFile: every write checked, so a full disk is an error, never a short file).
class OutputSink {
public:
    OutputSink(const QString &path, OutputSet *set)
        : m_path(path)
        , m_set(set)
    {
    }
    Status open()
    {
        if (m_path == QLatin1String("-"))
            return Done {};
        if (m_set) {
            auto file = m_set->add(m_path);
            if (!file)
                return file.error();
            m_file = *file;
            return Done {};
        }
        auto file = AtomicFile::create(m_path);
        if (!file)
            return file.error();
        m_owned = std::move(file).value();
        m_file = m_owned.get();
        return Done {};
    }
    Status write(const std::string &bytes)
    {
        if (bytes.empty())
            return Done {};
        if (m_file)
            return m_file->write(bytes.data(), qint64(bytes.size()));
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
            return ioError(QStringLiteral("cannot write to standard output"), errno, m_path);
        return Done {};
    }
    // A file of a set is only finished: the set's owner publishes it with the others.
    Status commit()
    {
        if (m_file)
            return m_owned ? m_file->commit() : m_file->finish();
        if (std::fflush(stdout) != 0)
            return ioError(QStringLiteral("cannot write to standard output"), errno, m_path);
        return Done {};
    }
    void abandon()
    {
        if (m_file)
            m_file->discard();
    }

private:
    QString m_path;
    OutputSet *m_set = nullptr;
    std::unique_ptr<AtomicFile> m_owned;
    AtomicFile *m_file = nullptr;
};

// Reads non-blank lines from the inputs, one file after another, into batches.
class BatchSource {
public:
    BatchSource(const QStringList &files)
        : m_files(files)
    {
        for (const QString &path : files)
            m_totalBytes
                += path == QLatin1String("-") ? 0 : std::max<qint64>(0, QFileInfo(path).size());
    }

    // False at the end of the last input or on an error (then error() is set).
    bool next(Batch &batch)
    {
        batch.bytes.clear();
        batch.lines.clear();
        while (m_file < m_files.size()) {
            if (!m_reader) {
                auto opened = LineReader::open(m_files[m_file]);
                if (!opened) {
                    m_error = opened.error();
                    return false;
                }
                m_reader = std::move(opened).value();
            }
            batch.file = int(m_file);
            std::string_view line;
            while (batch.bytes.size() < kBatchBytes && batch.lines.size() < kBatchLines
                   && m_reader->next(line)) {
                m_inputBytes += qint64(line.size()) + 1;
                if (isBlank(line))
                    continue;
                if (line.size() > std::numeric_limits<std::uint32_t>::max() - batch.bytes.size()) {
                    m_error = Error::badInput(QStringLiteral("line too long (over 4 GiB)"),
                                              m_files[m_file], m_reader->lineNumber());
                    return false;
                }
                batch.lines.push_back({ std::uint32_t(batch.bytes.size()),
                                        std::uint32_t(line.size()), m_reader->lineNumber() });
                batch.bytes.append(line);
            }
            if (m_reader->error()) {
                m_error = *m_reader->error();
                return false;
            }
            if (!batch.lines.empty()
                && (batch.bytes.size() >= kBatchBytes || batch.lines.size() >= kBatchLines))
                return true;
            // This file is done: a batch never spans two files (line numbers name one file).
            m_doneBytes += std::max<qint64>(0, m_reader->fileSize());
            m_reader.reset();
            ++m_file;
            if (!batch.lines.empty())
                return true;
        }
        return false;
    }

    const std::optional<Error> &error() const { return m_error; }
    qint64 progressBytes() const
    {
        return m_doneBytes + (m_reader ? m_reader->compressedBytesRead() : 0);
    }
    qint64 totalBytes() const { return m_totalBytes; }
    qint64 inputBytes() const { return m_inputBytes; }

private:
    QStringList m_files;
    qsizetype m_file = 0;
    std::unique_ptr<LineReader> m_reader;
    std::optional<Error> m_error;
    qint64 m_totalBytes = 0;
    qint64 m_doneBytes = 0;
    qint64 m_inputBytes = 0;
};

}  // namespace

QString applyModeName(ApplyMode mode)
{
    switch (mode) {
    case ApplyMode::Keep:
        return QStringLiteral("keep");
    case ApplyMode::Drop:
        return QStringLiteral("drop");
    case ApplyMode::Score:
        return QStringLiteral("score");
    case ApplyMode::Annotate:
        return QStringLiteral("annotate");
    }
    return {};
}

std::optional<ApplyMode> applyModeFromName(const QString &name)
{
    for (const ApplyMode mode :
         { ApplyMode::Keep, ApplyMode::Drop, ApplyMode::Score, ApplyMode::Annotate })
        if (applyModeName(mode) == name)
            return mode;
    return std::nullopt;
}

QJsonObject FilterApplySummary::toJson() const
{
    QJsonObject json { { QStringLiteral("lines"), double(lines) },
                       { QStringLiteral("written"), double(written) },
                       { QStringLiteral("kept"), double(kept) },
                       { QStringLiteral("malformed"), double(malformed) },
                       { QStringLiteral("threshold"), threshold },
                       { QStringLiteral("threshold_rule"), thresholdRule },
                       { QStringLiteral("seconds"), seconds },
                       { QStringLiteral("input_bytes"), double(inputBytes) } };
    if (thresholdRule == QLatin1String("keep_fraction")) {
        json.insert(QStringLiteral("requested_keep_fraction"), requestedKeepFraction);
        json.insert(QStringLiteral("sample_lines"), double(sampleLines));
    }
    return json;
}

Result<FilterApplySummary> applyFilter(const FastTextModel &model,
                                       const FilterApplyOptions &options,
                                       const std::function<void(const Error &)> &problem,
                                       const TaskControl &control)
{
    if (options.threshold.has_value() == options.keepFraction.has_value())
        return Error::badInput(QStringLiteral("give either a threshold or a keep fraction"));
    if (options.keepFraction && !(*options.keepFraction > 0.0 && *options.keepFraction <= 1.0))
        return Error::badInput(QStringLiteral("the keep fraction must be in (0, 1], not %1")
                                   .arg(*options.keepFraction));
    const QStringList files
        = options.inputs.isEmpty() ? QStringList { QStringLiteral("-") } : options.inputs;
    QList<NamedPath> inputs;
    for (const QString &input : files)
        inputs << NamedPath { input, QStringLiteral("an input") };
    if (Status distinct
        = checkOutputsAgainstInputs({ { options.output, QStringLiteral("the output") } }, inputs);
        !distinct)
        return distinct.error();
    QElapsedTimer timer;
    timer.start();

    const int threads = resolveThreadCount(options.threads);
    QThreadPool pool;
    pool.setMaxThreadCount(threads);
    Scorer scorer { model, options, files };
    BatchSource source(files);
    FilterApplySummary summary;
    std::deque<Batch> pending;  // read for the sample, processed afterwards

    if (options.keepFraction) {
        // Estimate the threshold on the first lines; they are then processed like the rest.
        Scorer sampler = scorer;
        sampler.sampling = true;
        std::vector<double> scores;
        qint64 sampled = 0;
        Batch batch;
        while (sampled < options.sampleLines && source.next(batch)) {
            sampled += qint64(batch.lines.size());
            pending.push_back(std::move(batch));
        }
        if (source.error())
            return *source.error();
        std::vector<QFuture<BatchOutput>> futures;
        for (const Batch &b : pending)
            futures.push_back(QtConcurrent::run(&pool, [&sampler, &b] { return sampler.run(b); }));
        for (auto &future : futures) {
            const BatchOutput out = future.result();
            scores.insert(scores.end(), out.scores.begin(), out.scores.end());
        }
        if (qint64(scores.size())
            > options.sampleLines)  // whole batches were read; use the first lines only
            scores.resize(std::size_t(options.sampleLines));
        summary.sampleLines = qint64(scores.size());
        summary.requestedKeepFraction = *options.keepFraction;
        summary.thresholdRule = QStringLiteral("keep_fraction");
        scorer.threshold = thresholdForKeepFraction(scores, *options.keepFraction);
    } else {
        summary.thresholdRule = QStringLiteral("given");
        scorer.threshold = *options.threshold;
    }
    summary.threshold = scorer.threshold;

    OutputSink sink(options.output, options.outputSet);
    if (Status opened = sink.open(); !opened)
        return opened.error();
    std::deque<QFuture<BatchOutput>> inFlight;
    std::optional<Error> failure;
    auto finish = [&](BatchOutput out) {
        for (const Error &e : out.problems)
            problem(e);
        summary.lines += out.lines;
        summary.written += out.written;
        summary.kept += out.kept;
        summary.malformed += qint64(out.problems.size());
        if (!failure)
            if (Status written = sink.write(out.bytes); !written)
                failure = written.error();
    };
    auto submit = [&](Batch batch) {
        if (threads == 1) {
            finish(scorer.run(batch));
            return;
        }
        inFlight.push_back(QtConcurrent::run(
            &pool, [&scorer, batch = std::move(batch)] { return scorer.run(batch); }));
        // Bounded memory: at most two batches per thread in flight.
        while (qsizetype(inFlight.size()) >= 2 * threads) {
            finish(inFlight.front().takeResult());
            inFlight.pop_front();
        }
    };
    while (!pending.empty() && !failure) {
        submit(std::move(pending.front()));
        pending.pop_front();
    }
    Batch batch;
    while (!failure && source.next(batch)) {
        submit(std::move(batch));
        batch = Batch {};
        if (control.isCanceled()) {
            failure = Error::canceled();
            break;
        }
        control.reportProgress(source.progressBytes(), std::max<qint64>(1, source.totalBytes()));
    }
    while (!inFlight.empty()) {
        finish(inFlight.front().takeResult());
        inFlight.pop_front();
    }
    if (!failure && source.error())
        failure = *source.error();
    if (failure) {
        sink.abandon();
        return *failure;
    }
    if (Status committed = sink.commit(); !committed)
        return committed.error();
    summary.inputBytes = source.inputBytes();
    summary.seconds = double(timer.nsecsElapsed()) * 1e-9;
    control.reportProgress(1, 1);
    return summary;
}

}  // namespace pcs

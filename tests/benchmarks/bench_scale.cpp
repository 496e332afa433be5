// Selection at scale, end to end through the CLI process, against `cat FILE > /dev/null`:
//
//   bench_scale --cli PATH/pcstudio-cli [--dir DIR] [--skip-huge] [--keep] [--only LIST]
//
// LIST is a comma-separated subset of e1e6, s1e7f, s1e7c, names, writer, huge (default all).
// With --keep the generated files stay in DIR and a later run with the same DIR reuses them
// (a matrix of the right size is not written again): the 12 GB one takes minutes to write.
// Every target line ends with PASS or FAIL; every process line gives the command, its wall,
// its user+sys CPU (the figure comparable on a loaded machine) and the load average.
//
// Generates (in DIR, default a temporary folder under /tmp) and measures, in one run:
//   1. N=100, D=1e6 float64 C-order .npy: `estimate` process wall          (target <= 2 s)
//      and the in-memory estimate() time at D=1e6 (the reference for 3.)
//   2. N=100, D=1e7 float32 .npy, Fortran and C order: `select` wall        (target <= 15 s)
//      and peak RSS                                                         (target <= 2 GB)
//   3. N=100, D=3e7 float32 Fortran .npy (12 GB; skipped with --skip-huge or too little disk):
//      `select` peak RSS <= 4 GB and wall <= 1.5 x (cat + 30 x in-memory estimate at 1e6)
//   4. a names file of 1e7 lines read by loadTextNames                      (target <= 1 s)
//   5. the selection CSV/JSON writer's throughput                           (target >= 300 MB/s)
// Values are a deterministic hash of (LLM, text); every file is deleted at the end.
// Process figures come from wait4()'s rusage (ru_maxrss is the peak resident set).
#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/npywriter.h"
#include "core/io/selectionwriter.h"
#include "core/io/textnames.h"
#include "core/selection/estimators.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>
#include <QTemporaryDir>

#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

constexpr qint64 kLlms = 100;

double bpbValue(qint64 llm, qint64 text)
{
    quint64 z = quint64(text) * 0x9E3779B97F4A7C15ull + quint64(llm) * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    // A little signal: LLM i is better (lower BPB) by i/N on every text.
    return 0.4 + 1.2 * double(z >> 11) * 0x1.0p-53 - 0.3 * double(llm) / kLlms;
}

QString llmName(qint64 i)
{
    return QStringLiteral("llm-%1").arg(i);
}

bool writeBytes(FILE *file, const void *data, std::size_t size)
{
    return std::fwrite(data, 1, size, file) == size;
}

// NAME.npy (C or Fortran order) with NAME.texts.txt and NAME.llms.txt, written in blocks.
// Kept files of the right size are reused.
bool writeMatrix(const QString &path, qint64 texts, pcs::NpyDtype dtype, bool fortran)
{
    const qint64 itemBytes = dtype == pcs::NpyDtype::Float32 ? 4 : 8;
    const QByteArray npyHeader = pcs::npyHeader(kLlms, texts, dtype, fortran);
    if (QFileInfo(path).size() == npyHeader.size() + kLlms * texts * itemBytes
        && QFileInfo::exists(pcs::npyTextsFileFor(path))
        && QFileInfo::exists(pcs::npyLlmsFileFor(path))) {
        std::printf("(reusing %s)\n", qPrintable(path));
        return true;
    }
    FILE *file = std::fopen(QFile::encodeName(path).constData(), "wb");
    if (!file)
        return false;
    const QByteArray header = pcs::npyHeader(kLlms, texts, dtype, fortran);
    bool ok = writeBytes(file, header.constData(), std::size_t(header.size()));
    const qint64 block = 1 << 16;
    std::vector<float> narrow;
    std::vector<double> wide;
    const auto writeValues = [&](qint64 count, auto value) {
        if (dtype == pcs::NpyDtype::Float32) {
            narrow.resize(std::size_t(count));
            for (qint64 k = 0; k < count; ++k)
                narrow[std::size_t(k)] = float(value(k));
            return writeBytes(file, narrow.data(), narrow.size() * sizeof(float));
        }
        wide.resize(std::size_t(count));
        for (qint64 k = 0; k < count; ++k)
            wide[std::size_t(k)] = value(k);
        return writeBytes(file, wide.data(), wide.size() * sizeof(double));
    };
    if (fortran) {
        for (qint64 first = 0; ok && first < texts; first += block) {
            const qint64 count = std::min(block, texts - first);
            ok = writeValues(count * kLlms,
                             [&](qint64 k) { return bpbValue(k % kLlms, first + k / kLlms); });
        }
    } else {
        for (qint64 i = 0; ok && i < kLlms; ++i)
            for (qint64 first = 0; ok && first < texts; first += block) {
                const qint64 count = std::min(block, texts - first);
                ok = writeValues(count, [&](qint64 k) { return bpbValue(i, first + k); });
            }
    }
    ok = std::fclose(file) == 0 && ok;
    FILE *names = std::fopen(QFile::encodeName(pcs::npyTextsFileFor(path)).constData(), "wb");
    std::string buffer;
    for (qint64 j = 0; j < texts && names; ++j) {
        buffer += "text-";
        buffer += std::to_string(j);
        buffer += '\n';
        if (buffer.size() > (1 << 20)) {
            ok = writeBytes(names, buffer.data(), buffer.size()) && ok;
            buffer.clear();
        }
    }
    ok = names && writeBytes(names, buffer.data(), buffer.size()) && std::fclose(names) == 0 && ok;
    QFile llms(pcs::npyLlmsFileFor(path));
    ok = llms.open(QIODevice::WriteOnly) && ok;
    for (qint64 i = 0; i < kLlms; ++i)
        llms.write(llmName(i).toUtf8() + '\n');
    return ok;
}

bool writeErrors(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray header = "benchmark", row = "arc_easy";
    for (qint64 i = 0; i < kLlms; ++i) {
        header += ',' + llmName(i).toUtf8();
        // Better LLMs (higher i) have lower error, with some noise.
        row += ','
            + QByteArray::number(0.8 - 0.5 * double(i) / kLlms + 0.01 * double((i * 37) % 11), 'g',
                                 17);
    }
    file.write(header + '\n' + row + '\n');
    return true;
}

struct ProcessFigures {
    double wallSeconds = 0;
    double cpuSeconds = 0;  // user + sys
    double peakRssGiB = 0;
    int exitCode = -1;
};

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("?");
    return QString::fromLatin1(file.readAll().split(' ').mid(0, 3).join(' '));
}

// Runs a command, returning its wall time and peak resident set (from wait4's rusage).
ProcessFigures run(const QStringList &command, bool quiet = true)
{
    std::vector<QByteArray> storage;
    for (const QString &part : command)
        storage.push_back(part.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &part : storage)
        argv.push_back(part.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (quiet)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    ProcessFigures figures;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        return figures;
    int status = 0;
    struct rusage usage { };
    wait4(pid, &status, 0, &usage);
    figures.wallSeconds = double(timer.nsecsElapsed()) * 1e-9;
    figures.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    figures.peakRssGiB = double(usage.ru_maxrss) / (1024.0 * 1024.0);
    figures.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    posix_spawn_file_actions_destroy(&actions);
    return figures;
}

double catSeconds(const QString &path)
{
    return run({ QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("cat '%1' > /dev/null").arg(path) })
        .wallSeconds;
}

double processCpuSeconds()
{
    struct rusage usage { };
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

// estimate() on an in-memory N x D double matrix: the reference the 3e7 target scales.
double inMemoryEstimateSeconds(qint64 texts, double *cpuSeconds)
{
    Eigen::MatrixXd values(kLlms, texts);
    for (qint64 j = 0; j < texts; ++j)
        for (qint64 i = 0; i < kLlms; ++i)
            values(i, j) = bpbValue(i, j);
    Eigen::VectorXd errors(kLlms);
    for (qint64 i = 0; i < kLlms; ++i)
        errors[i] = 0.8 - 0.5 * double(i) / kLlms + 0.01 * double((i * 37) % 11);
    QElapsedTimer timer;
    timer.start();
    const double cpuBefore = processCpuSeconds();
    auto result = pcs::estimate(values, {}, errors);
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    *cpuSeconds = processCpuSeconds() - cpuBefore;
    return result ? seconds : -1;
}

void line(const char *what, double value, const char *unit, const QString &target = {})
{
    std::printf("%-62s %10.3f %-5s %s\n", what, value, unit, qPrintable(target));
    std::fflush(stdout);
}

QString verdict(bool pass)
{
    return pass ? QStringLiteral("PASS") : QStringLiteral("FAIL");
}

// Runs a CLI command, printing it and its figures first.
ProcessFigures runCli(const QStringList &command)
{
    std::printf("$ %s\n", qPrintable(command.join(QLatin1Char(' '))));
    std::fflush(stdout);
    const QString before = loadAverage();
    const ProcessFigures figures = run(command);
    std::printf("  exit %d, wall %.2f s, user+sys CPU %.2f s, peak RSS %.2f GiB, load average "
                "%s before, %s after\n",
                figures.exitCode, figures.wallSeconds, figures.cpuSeconds, figures.peakRssGiB,
                qPrintable(before), qPrintable(loadAverage()));
    std::fflush(stdout);
    return figures;
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    QString cli, dirPath;
    QStringList only;
    const bool skipHuge = args.contains(QStringLiteral("--skip-huge"));
    const bool keep = args.contains(QStringLiteral("--keep"));
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--cli"))
            cli = args[i + 1];
        if (args[i] == QLatin1String("--dir"))
            dirPath = args[i + 1];
        if (args[i] == QLatin1String("--only"))
            only = args[i + 1].split(QLatin1Char(','));
    }
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable()) {
        std::fprintf(stderr,
                     "usage: bench_scale --cli PATH/pcstudio-cli [--dir DIR] "
                     "[--skip-huge] [--keep] [--only e1e6,s1e7f,s1e7c,names,writer,huge]\n");
        return 2;
    }
    const auto wanted
        = [&](const char *part) { return only.isEmpty() || only.contains(QLatin1String(part)); };
    cli = QFileInfo(cli).absoluteFilePath();
    QTemporaryDir temporary(QStringLiteral("/tmp/bench_scale-XXXXXX"));
    temporary.setAutoRemove(!keep);
    const QDir dir(dirPath.isEmpty() ? temporary.path() : dirPath);
    QDir().mkpath(dir.path());
    const QString errors = dir.filePath("errors.csv");
    writeErrors(errors);
    std::printf("bench_scale: %d threads, files in %s, load average %s\n",
                pcs::resolveThreadCount(0), qPrintable(dir.path()), qPrintable(loadAverage()));

    auto removeMatrix = [keep](const QString &npy) {
        if (keep)
            return;
        QFile::remove(npy);
        QFile::remove(pcs::npyTextsFileFor(npy));
        QFile::remove(pcs::npyLlmsFileFor(npy));
    };
    const QString out = dir.filePath("out.csv");
    int failures = 0;
    const auto target = [&](bool pass, const QString &text) {
        failures += pass ? 0 : 1;
        return text + QLatin1Char(' ') + verdict(pass);
    };

    // 1. D = 1e6 float64, C order (numpy's default).
    double estimate1e6 = -1;
    if (wanted("e1e6") || wanted("huge")) {
        if (wanted("e1e6")) {
            const QString m1 = dir.filePath("d1e6_f64.npy");
            writeMatrix(m1, 1000000, pcs::NpyDtype::Float64, false);
            catSeconds(m1);  // into the page cache
            line("D=1e6 f64 C-order: cat FILE > /dev/null", catSeconds(m1), "s");
            const ProcessFigures e1
                = runCli({ cli, QStringLiteral("estimate"), QStringLiteral("--bpb"), m1,
                           QStringLiteral("--errors"), errors, QStringLiteral("--output"), out,
                           QStringLiteral("--report"), out + ".json" });
            line("D=1e6 f64 C-order: pcstudio-cli estimate --report, wall", e1.wallSeconds, "s",
                 target(e1.exitCode == 0 && e1.wallSeconds <= 2.0,
                        QStringLiteral("(target <= 2 s; CPU %1 s)").arg(e1.cpuSeconds, 0, 'f', 2)));
            const ProcessFigures e1n
                = runCli({ cli, QStringLiteral("estimate"), QStringLiteral("--bpb"), m1,
                           QStringLiteral("--errors"), errors, QStringLiteral("--output"), out });
            line(
                "D=1e6 f64 C-order: pcstudio-cli estimate (no report), wall", e1n.wallSeconds, "s",
                target(e1n.exitCode == 0 && e1n.wallSeconds <= 2.0,
                       QStringLiteral("(target <= 2 s; CPU %1 s)").arg(e1n.cpuSeconds, 0, 'f', 2)));
            removeMatrix(m1);
        }
        double estimateCpu = 0;
        estimate1e6 = inMemoryEstimateSeconds(1000000, &estimateCpu);
        line("D=1e6: in-memory estimate() (spearmanr), wall", estimate1e6, "s",
             QStringLiteral("(CPU %1 s, load average %2)")
                 .arg(estimateCpu, 0, 'f', 2)
                 .arg(loadAverage()));
    }

    // 2. D = 1e7 float32, both orders.
    for (const bool fortran : { true, false }) {
        const bool measure = wanted(fortran ? "s1e7f" : "s1e7c");
        if (!measure && !(fortran && (wanted("names") || wanted("writer"))))
            continue;
        const QString m2 = dir.filePath(fortran ? "d1e7_f32_f.npy" : "d1e7_f32_c.npy");
        writeMatrix(m2, 10000000, pcs::NpyDtype::Float32, fortran);
        if (measure) {
            catSeconds(m2);
            const QByteArray order = fortran ? "Fortran" : "C";
            line(qPrintable("D=1e7 f32 " + order + ": cat FILE > /dev/null"), catSeconds(m2), "s");
            const ProcessFigures s2
                = runCli({ cli, QStringLiteral("select"), QStringLiteral("--bpb"), m2,
                           QStringLiteral("--errors"), errors, QStringLiteral("--keep-ratio"),
                           QStringLiteral("0.3"), QStringLiteral("--output"), out,
                           QStringLiteral("--report"), out + ".json" });
            line(
                qPrintable("D=1e7 f32 " + order + ": select --report, wall"), s2.wallSeconds, "s",
                target(s2.exitCode == 0 && s2.wallSeconds <= 15.0,
                       QStringLiteral("(target <= 15 s; CPU %1 s)").arg(s2.cpuSeconds, 0, 'f', 2)));
            line(qPrintable("D=1e7 f32 " + order + ": select --report, peak RSS"), s2.peakRssGiB,
                 "GiB",
                 target(s2.exitCode == 0 && s2.peakRssGiB * 1.073741824 <= 2.0,
                        QStringLiteral("(target <= 2 GB = 1.86 GiB)")));
        }
        if (fortran && (wanted("names") || wanted("writer"))) {
            // 4. the names file of this matrix: 1e7 lines.
            QElapsedTimer timer;
            timer.start();
            const double namesCpuBefore = processCpuSeconds();
            auto names = pcs::io::loadTextNames(pcs::npyTextsFileFor(m2), "text");
            const double namesSeconds = double(timer.nsecsElapsed()) * 1e-9;
            const double namesCpu = processCpuSeconds() - namesCpuBefore;
            if (wanted("names"))
                line("names file of 1e7 lines: loadTextNames", namesSeconds, "s",
                     target(names && namesSeconds <= 1.0,
                            QStringLiteral("(target <= 1 s; %1 names; CPU %2 s, load average %3)")
                                .arg(names ? names->size() : -1)
                                .arg(namesCpu, 0, 'f', 2)
                                .arg(loadAverage())));
            // 5. the writer, on 1e7 rows of this selection's shape.
            if (names && wanted("writer")) {
                const qint64 d = names->size();
                Eigen::VectorXd estimate(d), tau = Eigen::VectorXd::Constant(d, 1.0 / (0.3 * d)),
                                             weight(d);
                Eigen::VectorXi rank(d);
                for (qint64 j = 0; j < d; ++j) {
                    estimate[j] = bpbValue(7, j) - 0.9;
                    weight[j] = j % 3 == 0 ? tau[j] : 0.0;
                    rank[j] = int(j + 1);
                }
                for (const auto format : { pcs::TableFormat::Csv, pcs::TableFormat::Json }) {
                    timer.restart();
                    qint64 bytes = 0;
                    const pcs::Status written = pcs::writeAtomically(
                        out, [&](const pcs::ByteSink &sink) {
                            pcs::formatSelectionColumns(*names, estimate, rank, tau, weight, format,
                                                        {}, [&](const char *data, qint64 size) {
                                                            bytes += size;
                                                            return sink(data, size);
                                                        });
                        });
                    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
                    const double rate = double(bytes) / seconds / 1e6;
                    line(format == pcs::TableFormat::Csv
                             ? "selection CSV writer, 1e7 rows (to a file, synced)"
                             : "selection JSON writer, 1e7 rows (to a file, synced)",
                         rate, "MB/s",
                         target(bool(written) && rate >= 300,
                                QStringLiteral("(target >= 300 MB/s; %1 MB in %2 s%3)")
                                    .arg(double(bytes) / 1e6, 0, 'f', 0)
                                    .arg(seconds, 0, 'f', 2)
                                    .arg(written ? QString() : QStringLiteral(", FAILED"))));
                }
            }
        }
        removeMatrix(m2);
    }

    // 3. D = 3e7 float32 (12 GB), Fortran order.
    if (wanted("huge")) {
        const QString m3 = dir.filePath("d3e7_f32_f.npy");
        const qint64 hugeBytes = kLlms * 30000000 * 4;
        const qint64 available = QStorageInfo(dir.path()).bytesAvailable();
        const bool present = QFileInfo(m3).size() > hugeBytes;
        if (skipHuge || (!present && available < hugeBytes + (qint64(8) << 30))) {
            std::printf("D=3e7: skipped (%s; %.1f GB free)\n",
                        skipHuge ? "--skip-huge" : "too little disk", double(available) / 1e9);
        } else {
            writeMatrix(m3, 30000000, pcs::NpyDtype::Float32, true);
            const double cat3 = catSeconds(m3);
            line("D=3e7 f32 Fortran: cat FILE > /dev/null", cat3, "s");
            const ProcessFigures s3
                = runCli({ cli, QStringLiteral("select"), QStringLiteral("--bpb"), m3,
                           QStringLiteral("--errors"), errors, QStringLiteral("--keep-ratio"),
                           QStringLiteral("0.3"), QStringLiteral("--output"), out,
                           QStringLiteral("--report"), out + ".json" });
            const double bound = 1.5 * (cat3 + 30 * estimate1e6);
            line("D=3e7 f32 Fortran: select --report, wall", s3.wallSeconds, "s",
                 target(s3.exitCode == 0 && s3.wallSeconds <= bound,
                        QStringLiteral("(target <= 1.5 x (cat + 30 x estimate@1e6) = %1 s; CPU "
                                       "%2 s)")
                            .arg(bound, 0, 'f', 1)
                            .arg(s3.cpuSeconds, 0, 'f', 2)));
            line("D=3e7 f32 Fortran: select --report, peak RSS", s3.peakRssGiB, "GiB",
                 target(s3.exitCode == 0 && s3.peakRssGiB * 1.073741824 <= 4.0,
                        QStringLiteral("(target <= 4 GB = 3.73 GiB)")));
            removeMatrix(m3);
        }
    }
    if (!keep) {
        QFile::remove(out);
        QFile::remove(out + ".json");
    }
    std::printf("bench_scale: %d target(s) failed; load average %s\n", failures,
                qPrintable(loadAverage()));
    return failures == 0 ? 0 : 1;
}

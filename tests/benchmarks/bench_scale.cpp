// Selection at scale, end to end through the CLI process, against `cat FILE > /dev/null`:
//
//   bench_scale --cli PATH/pcstudio-cli [--dir DIR] [--skip-huge] [--keep]
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
#include "common/parallel.h"
#include "io/atomicwrite.h"
#include "io/npywriter.h"
#include "io/selectionwriter.h"
#include "io/textnames.h"
#include "selection/estimators.h"

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
bool writeMatrix(const QString &path, qint64 texts, pcs::NpyDtype dtype, bool fortran)
{
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
    double peakRssGiB = 0;
    int exitCode = -1;
};

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

// estimate() on an in-memory N x D double matrix: the reference the 3e7 target scales.
double inMemoryEstimateSeconds(qint64 texts)
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
    auto result = pcs::estimate(values, {}, errors);
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    return result ? seconds : -1;
}

void line(const char *what, double value, const char *unit, const QString &target = {})
{
    std::printf("%-62s %10.3f %-5s %s\n", what, value, unit, qPrintable(target));
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    QString cli, dirPath;
    const bool skipHuge = args.contains(QStringLiteral("--skip-huge"));
    const bool keep = args.contains(QStringLiteral("--keep"));
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--cli"))
            cli = args[i + 1];
        if (args[i] == QLatin1String("--dir"))
            dirPath = args[i + 1];
    }
    if (cli.isEmpty() || !QFileInfo(cli).isExecutable()) {
        std::fprintf(stderr,
                     "usage: bench_scale --cli PATH/pcstudio-cli [--dir DIR] "
                     "[--skip-huge] [--keep]\n");
        return 2;
    }
    cli = QFileInfo(cli).absoluteFilePath();
    QTemporaryDir temporary(QStringLiteral("/tmp/bench_scale-XXXXXX"));
    temporary.setAutoRemove(!keep);
    const QDir dir(dirPath.isEmpty() ? temporary.path() : dirPath);
    QDir().mkpath(dir.path());
    const QString errors = dir.filePath("errors.csv");
    writeErrors(errors);
    std::printf("bench_scale: %d threads, files in %s\n", pcs::resolveThreadCount(0),
                qPrintable(dir.path()));

    auto removeMatrix = [](const QString &npy) {
        QFile::remove(npy);
        QFile::remove(pcs::npyTextsFileFor(npy));
        QFile::remove(pcs::npyLlmsFileFor(npy));
    };
    const QString out = dir.filePath("out.csv");

    // 1. D = 1e6 float64, C order (numpy's default).
    const QString m1 = dir.filePath("d1e6_f64.npy");
    writeMatrix(m1, 1000000, pcs::NpyDtype::Float64, false);
    catSeconds(m1);  // into the page cache
    line("D=1e6 f64 C-order: cat FILE > /dev/null", catSeconds(m1), "s");
    const ProcessFigures e1 = run({ cli, QStringLiteral("estimate"), QStringLiteral("--bpb"), m1,
                                    QStringLiteral("--errors"), errors, QStringLiteral("--output"),
                                    out, QStringLiteral("--report"), out + ".json" });
    line("D=1e6 f64 C-order: pcstudio-cli estimate --report, wall", e1.wallSeconds, "s",
         QStringLiteral("(target <= 2 s; exit %1, peak RSS %2 GiB)")
             .arg(e1.exitCode)
             .arg(e1.peakRssGiB, 0, 'f', 2));
    const ProcessFigures e1n
        = run({ cli, QStringLiteral("estimate"), QStringLiteral("--bpb"), m1,
                QStringLiteral("--errors"), errors, QStringLiteral("--output"), out });
    line("D=1e6 f64 C-order: pcstudio-cli estimate (no report), wall", e1n.wallSeconds, "s");
    removeMatrix(m1);
    const double estimate1e6 = inMemoryEstimateSeconds(1000000);
    line("D=1e6: in-memory estimate() (spearmanr), wall", estimate1e6, "s");

    // 2. D = 1e7 float32, both orders.
    for (const bool fortran : { true, false }) {
        const QString m2 = dir.filePath(fortran ? "d1e7_f32_f.npy" : "d1e7_f32_c.npy");
        writeMatrix(m2, 10000000, pcs::NpyDtype::Float32, fortran);
        catSeconds(m2);
        const QByteArray order = fortran ? "Fortran" : "C";
        line(qPrintable("D=1e7 f32 " + order + ": cat FILE > /dev/null"), catSeconds(m2), "s");
        const ProcessFigures s2
            = run({ cli, QStringLiteral("select"), QStringLiteral("--bpb"), m2,
                    QStringLiteral("--errors"), errors, QStringLiteral("--keep-ratio"),
                    QStringLiteral("0.3"), QStringLiteral("--output"), out,
                    QStringLiteral("--report"), out + ".json" });
        line(qPrintable("D=1e7 f32 " + order + ": select --report, wall"), s2.wallSeconds, "s",
             QStringLiteral("(target <= 15 s; exit %1)").arg(s2.exitCode));
        line(qPrintable("D=1e7 f32 " + order + ": select --report, peak RSS"), s2.peakRssGiB, "GiB",
             QStringLiteral("(target <= 2 GB = 1.86 GiB)"));
        if (fortran) {
            // 4. the names file of this matrix: 1e7 lines.
            QElapsedTimer timer;
            timer.start();
            auto names = pcs::io::loadTextNames(pcs::npyTextsFileFor(m2), "text");
            line("names file of 1e7 lines: loadTextNames", double(timer.nsecsElapsed()) * 1e-9, "s",
                 QStringLiteral("(target <= 1 s; %1 names)").arg(names ? names->size() : -1));
            // 5. the writer, on 1e7 rows of this selection's shape.
            if (names) {
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
                    line(format == pcs::TableFormat::Csv
                             ? "selection CSV writer, 1e7 rows (to a file, synced)"
                             : "selection JSON writer, 1e7 rows (to a file, synced)",
                         double(bytes) / seconds / 1e6, "MB/s",
                         QStringLiteral("(target >= 300 MB/s; %1 MB in %2 s%3)")
                             .arg(double(bytes) / 1e6, 0, 'f', 0)
                             .arg(seconds, 0, 'f', 2)
                             .arg(written ? QString() : QStringLiteral(", FAILED")));
                }
            }
        }
        removeMatrix(m2);
    }

    // 3. D = 3e7 float32 (12 GB), Fortran order.
    const qint64 hugeBytes = kLlms * 30000000 * 4;
    const qint64 available = QStorageInfo(dir.path()).bytesAvailable();
    if (skipHuge || available < hugeBytes + (qint64(8) << 30)) {
        std::printf("D=3e7: skipped (%s; %.1f GB free)\n",
                    skipHuge ? "--skip-huge" : "too little disk", double(available) / 1e9);
        return 0;
    }
    const QString m3 = dir.filePath("d3e7_f32_f.npy");
    writeMatrix(m3, 30000000, pcs::NpyDtype::Float32, true);
    const double cat3 = catSeconds(m3);
    line("D=3e7 f32 Fortran: cat FILE > /dev/null", cat3, "s");
    const ProcessFigures s3 = run(
        { cli, QStringLiteral("select"), QStringLiteral("--bpb"), m3, QStringLiteral("--errors"),
          errors, QStringLiteral("--keep-ratio"), QStringLiteral("0.3"), QStringLiteral("--output"),
          out, QStringLiteral("--report"), out + ".json" });
    const double bound = 1.5 * (cat3 + 30 * estimate1e6);
    line("D=3e7 f32 Fortran: select --report, wall", s3.wallSeconds, "s",
         QStringLiteral("(target <= 1.5 x (cat + 30 x estimate@1e6) = %1 s; exit %2)")
             .arg(bound, 0, 'f', 1)
             .arg(s3.exitCode));
    line("D=3e7 f32 Fortran: select --report, peak RSS", s3.peakRssGiB, "GiB",
         QStringLiteral("(target <= 4 GB = 3.73 GiB)"));
    removeMatrix(m3);
    QFile::remove(out);
    QFile::remove(out + ".json");
    return 0;
}

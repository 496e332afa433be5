// Load benchmark: writes a text-rows BPB CSV of D texts x N LLMs (17 significant digits), and
// with --npy also a float64 .npy with names files, then times loadBpbMatrix on each.
//
//   bench_load [N] [D] [--npy] [--dir DIR] [--threads T] [--repeat K]
//   (defaults: 100 LLMs, 1,000,000 texts; the files are synced to disk before timing so that
//   write-back does not compete with the load; loads then read from the page cache)
#include "core/io/bpbloader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

// A deterministic BPB value for (llm, text), so the CSV and the .npy hold the same matrix
// without keeping it in memory.
double bpbValue(qint64 llm, qint64 text)
{
    quint64 z = quint64(text) * 0x9E3779B97F4A7C15ull + quint64(llm) * 0xD1B54A32D192ED03ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return 0.4 + 1.2 * double(z >> 11) * 0x1.0p-53;
}

QString llmName(qint64 i)
{
    return QStringLiteral("('org%1', 'org%1/model-%2b')").arg(i % 7).arg(i);
}

void appendRow(std::string &out, qint64 text, qint64 llms)
{
    char buffer[32];
    out += "text-";
    out += std::to_string(text);
    for (qint64 i = 0; i < llms; ++i) {
        const auto end = std::to_chars(buffer, buffer + sizeof buffer, bpbValue(i, text),
                                       std::chars_format::general, 17);
        out += ',';
        out.append(buffer, end.ptr);
    }
    out += '\n';
}

bool writeCsv(const QString &path, qint64 llms, qint64 texts)
{
    std::ofstream file(path.toStdString(), std::ios::binary);
    std::string header = "id";
    for (qint64 i = 0; i < llms; ++i)
        header += ",\"" + llmName(i).toStdString() + "\"";
    file << header << '\n';
    // Two threads format blocks of rows; blocks are written in order.
    const qint64 block = 20000;
    for (qint64 first = 0; first < texts; first += 2 * block) {
        std::string parts[2];
        std::vector<std::thread> workers;
        for (int t = 0; t < 2; ++t) {
            workers.emplace_back([&, t] {
                const qint64 begin = first + t * block;
                const qint64 end = std::min(texts, begin + block);
                for (qint64 j = begin; j < end; ++j)
                    appendRow(parts[t], j, llms);
            });
        }
        for (auto &worker : workers)
            worker.join();
        file << parts[0] << parts[1];
    }
    return bool(file);
}

bool writeNpy(const QString &path, qint64 llms, qint64 texts)
{
    std::ofstream file(path.toStdString(), std::ios::binary);
    std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(llms)
        + ", " + std::to_string(texts) + "), }";
    while ((10 + dict.size() + 1) % 64 != 0)
        dict += ' ';
    dict += '\n';
    const auto length = std::uint16_t(dict.size());
    file.write("\x93NUMPY\x01\x00", 8);
    file.put(char(length & 0xFF)).put(char(length >> 8));
    file << dict;
    std::vector<double> row(static_cast<std::size_t>(texts));
    for (qint64 i = 0; i < llms; ++i) {
        for (qint64 j = 0; j < texts; ++j)
            row[std::size_t(j)] = bpbValue(i, j);
        file.write(reinterpret_cast<const char *>(row.data()), qint64(row.size() * sizeof(double)));
    }
    std::ofstream textsFile((path + QStringLiteral(".texts")).toStdString());
    for (qint64 j = 0; j < texts; ++j)
        textsFile << "text-" << j << '\n';
    std::ofstream llmsFile((path + QStringLiteral(".llms")).toStdString());
    for (qint64 i = 0; i < llms; ++i)
        llmsFile << llmName(i).toStdString() << '\n';
    return bool(file) && bool(textsFile) && bool(llmsFile);
}

// Peak resident memory of this process, from /proc/self/status.
double peakRssGb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / (1024.0 * 1024.0);
    }
    return 0;
}

void resetPeakRss()
{
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    if (clear.open(QIODevice::WriteOnly))
        clear.write("5");  // resets VmHWM to the current RSS (Linux >= 4.0)
}

bool timeLoad(const char *label, const QString &path, const pcs::BpbLoadOptions &options,
              qint64 llms, qint64 texts)
{
    const double megabytes = double(QFileInfo(path).size()) / 1e6;
    resetPeakRss();
    QElapsedTimer timer;
    timer.start();
    const auto result = pcs::loadBpbMatrix(path, options);
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!result.ok()) {
        std::fprintf(stderr, "%s: %s\n", label, qPrintable(result.error().toString()));
        return false;
    }
    // A spot check that the values are the generated ones.
    const bool exact = result->values.rows() == llms && result->values.cols() == texts
        && result->values(llms - 1, texts - 1) == bpbValue(llms - 1, texts - 1)
        && result->values(0, texts / 2) == bpbValue(0, texts / 2);
    std::printf("%-4s %9.1f MB in %6.3f s = %7.1f MB/s | %lld texts x %lld LLMs | peak RSS "
                "%.2f GB (matrix %.2f GB) | values %s\n",
                label, megabytes, seconds, megabytes / seconds, qlonglong(result->texts.size()),
                qlonglong(result->llms.size()), peakRssGb(), double(llms * texts * 8) / 1e9,
                exact ? "exact" : "WRONG");
    return exact;
}

}  // namespace

int main(int argc, char **argv)
{
    qint64 llms = 100;
    qint64 texts = 1000000;
    bool npy = false;
    int threads = 0;
    int repeat = 1;
    QString dirPath;
    std::vector<qint64> numbers;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--npy"))
            npy = true;
        else if (arg == QLatin1String("--dir") && i + 1 < argc)
            dirPath = QString::fromLocal8Bit(argv[++i]);
        else if (arg == QLatin1String("--threads") && i + 1 < argc)
            threads = QString::fromLocal8Bit(argv[++i]).toInt();
        else if (arg == QLatin1String("--repeat") && i + 1 < argc)
            repeat = std::max(1, QString::fromLocal8Bit(argv[++i]).toInt());
        else
            numbers.push_back(arg.toLongLong());
    }
    if (numbers.size() > 0)
        llms = numbers[0];
    if (numbers.size() > 1)
        texts = numbers[1];
    if (llms <= 0 || texts <= 0) {
        std::fprintf(stderr,
                     "usage: bench_load [N LLMs] [D texts] [--npy] [--dir DIR] "
                     "[--threads T] [--repeat K]\n");
        return 2;
    }
    QTemporaryDir temporary;
    const QDir dir(dirPath.isEmpty() ? temporary.path() : dirPath);
    const QString csvPath = dir.filePath(QStringLiteral("bench_bpb.csv"));
    const QString npyPath = dir.filePath(QStringLiteral("bench_bpb.npy"));

    QElapsedTimer timer;
    timer.start();
    if (!writeCsv(csvPath, llms, texts) || (npy && !writeNpy(npyPath, llms, texts))) {
        std::fprintf(stderr, "cannot write the benchmark files in %s\n", qPrintable(dir.path()));
        return 1;
    }
    ::sync();
    std::printf("generated in %.1f s (%s); threads: %d\n", double(timer.elapsed()) / 1000,
                qPrintable(dir.path()),
                threads ? threads : int(std::thread::hardware_concurrency()));

    pcs::BpbLoadOptions options;
    options.threads = threads;
    bool ok = true;
    for (int run = 0; run < repeat; ++run)
        ok = timeLoad("csv", csvPath, options, llms, texts) && ok;
    if (npy) {
        options.textsFile = npyPath + QStringLiteral(".texts");
        options.llmsFile = npyPath + QStringLiteral(".llms");
        for (int run = 0; run < repeat; ++run)
            ok = timeLoad("npy", npyPath, options, llms, texts) && ok;
    }
    return ok ? 0 : 1;
}

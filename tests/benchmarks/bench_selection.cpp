// Times the estimators and projections of DESIGN.md §3 on random data held in memory, and
// reports how much memory each needs beyond the BPB matrix (peak RSS from /proc/self/status).
//
//   bench_selection [N] [D] [threads] [--only NAME] [--data iid|llm|outlier] [--shuffled-rows]
//
// Defaults: 100 LLMs, 1,000,000 texts, 2 threads, every item. NAME is an estimator
// (spearmanr, sign_cdf, sign, sign_sign, product), a projection (linear, l2) or `ranks`.
// Run one item per process (--only) to see its own memory: the peak is process-wide.
// --data llm adds a per-LLM quality offset (real BPB rows are strongly correlated), --data
// outlier multiplies the first LLM's BPB by 1000 (a harder case for the ranking);
// --shuffled-rows passes every row in a shuffled order (the gathering path).

#include "core/selection/estimators.h"
#include "core/selection/projection.h"

#include <QCoreApplication>
#include <QFile>
#include <QStringList>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <vector>

namespace {

// splitmix64: fast, and good enough for benchmark data.
struct Random {
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
};

double peakRssMiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').value(0).toDouble() / 1024;
    }
    return -1;
}

double seconds(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds of every thread so far: the work done, even when other processes compete.
double cpuSeconds()
{
    return double(std::clock()) / CLOCKS_PER_SEC;
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    QString only;
    QString data = QStringLiteral("iid");
    bool shuffledRows = false;
    QStringList numbers;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--only") && i + 1 < args.size())
            only = args[++i];
        else if (args[i] == QLatin1String("--data") && i + 1 < args.size())
            data = args[++i];
        else if (args[i] == QLatin1String("--shuffled-rows"))
            shuffledRows = true;
        else
            numbers << args[i];
    }
    const Eigen::Index n = numbers.value(0, QStringLiteral("100")).toLongLong();
    const Eigen::Index d = numbers.value(1, QStringLiteral("1000000")).toLongLong();
    const int threads = numbers.value(2, QStringLiteral("2")).toInt();

    Random random { 42 };
    Eigen::MatrixXd bpb(n, d);
    std::vector<double> quality(std::size_t(n), 0.0);
    if (data == QLatin1String("llm")) {
        for (double &q : quality)
            q = random.uniform();
    }
    for (Eigen::Index j = 0; j < d; ++j) {
        for (Eigen::Index i = 0; i < n; ++i)
            bpb(i, j) = 0.5 + quality[std::size_t(i)] + random.uniform();
        if (data == QLatin1String("outlier"))  // one broken LLM stretches every column
            bpb(0, j) *= 1000;
    }
    Eigen::VectorXd errors(n);
    for (Eigen::Index i = 0; i < n; ++i)
        errors[i] = 0.3 + 0.5 * random.uniform();
    std::vector<Eigen::Index> rows;
    if (shuffledRows) {
        rows.resize(std::size_t(n));
        std::iota(rows.begin(), rows.end(), Eigen::Index(0));
        for (std::size_t i = rows.size(); i > 1; --i)
            std::swap(rows[i - 1], rows[random.next() % i]);
        Eigen::VectorXd shuffled(n);
        for (Eigen::Index i = 0; i < n; ++i)
            shuffled[i] = errors[rows[std::size_t(i)]];
        errors = shuffled;
    }
    Eigen::VectorXd someEstimate(d);
    for (Eigen::Index j = 0; j < d; ++j)
        someEstimate[j] = random.uniform() - 0.5;

    const double matrixMiB = double(n) * double(d) * sizeof(double) / (1024.0 * 1024.0);
    const double baseMiB = peakRssMiB("VmRSS:");
    std::printf("N=%lld D=%lld threads=%d data=%s rows=%s: matrix %.0f MiB, RSS before %.0f MiB\n",
                (long long)n, (long long)d, threads, qPrintable(data),
                shuffledRows ? "shuffled" : "all", matrixMiB, baseMiB);
    std::printf("%-10s %9s %9s %12s %10s\n", "item", "seconds", "cpu s", "peak RSS/X", "growth/X");
    double cpuStart = 0;
    auto report = [&](const QString &name, double secs) {
        const double peak = peakRssMiB("VmHWM:");
        std::printf("%-10s %9.3f %9.3f %12.3f %10.3f\n", qPrintable(name), secs,
                    cpuSeconds() - cpuStart, peak / matrixMiB, (peak - baseMiB) / matrixMiB);
        std::fflush(stdout);
    };

    int failures = 0;
    for (const QString &name : pcs::estimatorNames()) {
        if (!only.isEmpty() && only != name)
            continue;
        pcs::EstimateOptions options;
        options.estimator = *pcs::estimatorFromName(name);
        options.threads = threads;
        cpuStart = cpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        const auto result = pcs::estimate(bpb, rows, errors, options);
        const double secs = seconds(start);
        if (!result) {
            std::printf("%s failed: %s\n", qPrintable(name), qPrintable(result.error().toString()));
            ++failures;
            continue;
        }
        report(name, secs);
    }
    const auto tau = pcs::uniformTau(d, 0.1);
    for (const QString &name : pcs::projectionNames()) {
        if (!only.isEmpty() && only != name)
            continue;
        cpuStart = cpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        const auto p = pcs::project(someEstimate, *tau, *pcs::projectionFromName(name));
        const double secs = seconds(start);
        if (!p) {
            std::printf("%s failed: %s\n", qPrintable(name), qPrintable(p.error().toString()));
            ++failures;
            continue;
        }
        report(name, secs);
    }
    if (only.isEmpty() || only == QLatin1String("ranks")) {
        cpuStart = cpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        const Eigen::VectorXi ranks = pcs::ranksDescending(someEstimate);
        report(QStringLiteral("ranks"), seconds(start) + 0 * ranks[0]);
    }
    return failures == 0 ? 0 : 1;
}

// JsonLineScanner throughput by record shape, in CPU time (so that a shared machine's load does
// not count): long texts with few keys (the usual corpus), and short records with many top-level
// keys, where the per-key cost of the duplicate-key check shows most.
// Usage: bench_jsonline [lines per shape, default 50000]
#include "core/io/jsonline.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace {

double cpuSeconds()
{
    timespec now {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

// The best of seven passes: MB/s and ns per line.
void measure(const char *shape, const std::vector<std::string> &lines)
{
    pcs::JsonLineScanner scanner({ "text", "id" });
    std::size_t bytes = 0;
    for (const std::string &line : lines)
        bytes += line.size();
    double best = 1e300;
    for (int pass = 0; pass < 7; ++pass) {
        const double start = cpuSeconds();
        for (const std::string &line : lines) {
            if (scanner.scan(line)) {
                std::printf("%s: a generated line is invalid\n", shape);
                return;
            }
        }
        best = std::min(best, cpuSeconds() - start);
    }
    std::printf("%-36s %6.0f MB/s %9.0f ns/line\n", shape, double(bytes) / best / 1e6,
                best / double(lines.size()) * 1e9);
}

std::vector<std::string> longTexts(int count, const std::vector<std::string> &words)
{
    std::mt19937 random(5);
    std::vector<std::string> lines;
    for (int i = 0; i < count; ++i) {
        std::string text;
        while (text.size() < 2000)
            text += words[random() % words.size()] + ' ';
        lines.push_back("{\"id\":\"doc-" + std::to_string(i) + "\",\"url\":\"https://example.com/"
                        + std::to_string(i) + "\",\"text\":\"" + text
                        + "\",\"meta\":{\"lang\":\"en\",\"score\":0."
                        + std::to_string(random() % 1000) + "}}");
    }
    return lines;
}

std::vector<std::string> manyKeys(int count, int keys)
{
    std::vector<std::string> lines;
    for (int i = 0; i < count; ++i) {
        std::string line = "{\"id\":" + std::to_string(i) + ",\"text\":\"a short text "
            + std::to_string(i) + "\"";
        for (int key = 0; key < keys - 2; ++key)
            line += ",\"field_" + std::to_string(key) + "\":" + std::to_string(key * i % 997);
        lines.push_back(line + "}");
    }
    return lines;
}

}  // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50000;
    measure("2 KB text, 4 keys, mostly ASCII",
            longTexts(count,
                      { "the", "model", "perplexity", "correlation", "data", "caf\xc3\xa9",
                        "benchmark", "token", "\\\"quoted\\\"", "line\\n" }));
    measure("2 KB text, 4 keys, Cyrillic/CJK",
            longTexts(count,
                      { "\xd0\xbc\xd0\xbe\xd0\xb4\xd0\xb5\xd0\xbb\xd1\x8c",
                        "\xe6\xa8\xa1\xe5\x9e\x8b", "\xe6\x95\xb0\xe6\x8d\xae" }));
    for (const int keys : { 8, 42 })
        measure(("short text, " + std::to_string(keys) + " top-level keys").c_str(),
                manyKeys(count * 2, keys));
    measure("1000 top-level keys", manyKeys(std::max(1, count / 100), 1000));
    return 0;
}

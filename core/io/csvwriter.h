#pragma once

#include "core/io/atomicwrite.h"

#include <QByteArray>
#include <QString>

#include <string>
#include <string_view>

// The one CSV writer: RFC 4180 fields and shortest round-trip numbers, used by every CSV output.
namespace pcs {

// Appends a double in its shortest round-trip form ("nan"/"inf" never occur in our outputs).
void appendNumber(QByteArray &out, double value);
// Appends a CSV field, quoted when it contains a comma, quote, CR or LF (or always, as the
// perplexity-correlations package quotes its LLM names); quotes inside are doubled.
enum class CsvQuoting { WhenNeeded, Always };
void appendCsvField(QByteArray &out, const QString &field,
                    CsvQuoting quoting = CsvQuoting::WhenNeeded);
void appendCsvField(QByteArray &out, std::string_view utf8,
                    CsvQuoting quoting = CsvQuoting::WhenNeeded);

// Builds rows into a buffer and hands it to a sink every megabyte: the fast path for large
// outputs (hundreds of MB/s). Fields are separated by commas, rows end with \n.
class CsvRowWriter {
public:
    explicit CsvRowWriter(ByteSink sink);
    void field(std::string_view utf8, CsvQuoting quoting = CsvQuoting::WhenNeeded);
    void field(const QString &text, CsvQuoting quoting = CsvQuoting::WhenNeeded);
    void number(double value);
    void integer(qint64 value);
    void endRow();
    // Appends raw bytes (a header line, for instance).
    void raw(std::string_view bytes);
    // Flushes what is left; false if the sink failed at any point.
    bool finish();

private:
    void separate();
    void flushIfFull();

    ByteSink m_sink;
    std::string m_buffer;
    bool m_rowStarted = false;
    bool m_ok = true;
};

}  // namespace pcs

// HugeBuffer: small buffers from the heap, large ones mapped; both hold what is written, move
// without copying and free themselves.
#include "core/common/hugebuffer.h"

#include <QTest>

#include <cstdint>
#include <cstring>

using namespace pcs;

class TestHugeBuffer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void holdsWhatIsWritten_data()
    {
        QTest::addColumn<qint64>("count");
        QTest::newRow("empty") << qint64(0);
        QTest::newRow("heap") << qint64(1000);
        QTest::newRow("mapped") << qint64(3 << 20);  // 24 MB of uint64
    }

    void holdsWhatIsWritten()
    {
        QFETCH(qint64, count);
        HugeBuffer<std::uint64_t> buffer { std::size_t(count) };
        QCOMPARE(buffer.size(), std::size_t(count));
        QVERIFY(count == 0 || buffer.data() != nullptr);
        for (std::size_t i = 0; i < buffer.size(); ++i)
            buffer[i] = i * 2654435761u;
        HugeBuffer<std::uint64_t> moved = std::move(buffer);
        QCOMPARE(moved.size(), std::size_t(count));
        QCOMPARE(buffer.size(), std::size_t(0));
        for (std::size_t i = 0; i < moved.size(); ++i)
            QCOMPARE(moved[i], i * 2654435761u);
        // Move-assigning releases what the target held (ASan would flag a leak or double free).
        HugeBuffer<std::uint64_t> other { 5 << 20 };
        other = std::move(moved);
        QCOMPARE(other.size(), std::size_t(count));
    }

    void zeroedOnRequest()
    {
        for (const std::size_t count : { std::size_t(100), std::size_t(1) << 20 }) {
            // Dirty the heap first, so that a reused block would show old bytes.
            {
                HugeBuffer<std::uint32_t> dirty { count };
                std::memset(dirty.data(), 0xAB, count * sizeof(std::uint32_t));
            }
            const HugeBuffer<std::uint32_t> zeroed { count, HugeBuffer<std::uint32_t>::Zeroed };
            for (std::size_t i = 0; i < count; ++i)
                QCOMPARE(zeroed[i], 0u);
        }
    }
};

QTEST_APPLESS_MAIN(TestHugeBuffer)
#include "tst_hugebuffer.moc"

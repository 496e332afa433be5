#pragma once

#include "core/common/result.h"

#include <QString>

#include <memory>
#include <string_view>

namespace pcs::io {

// SHA-256 through OpenSSL's libcrypto (about 10x Qt's own on CPUs with SHA extensions), fed
// piece by piece so that a loader can hash the bytes it reads anyway.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void add(std::string_view bytes);
    // The digest as 64 lowercase hex digits; the object must not be fed afterwards.
    QString finishHex();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

// Hashes a whole regular file with large sequential reads.
Result<QString> sha256OfFile(const QString &path);

}  // namespace pcs::io

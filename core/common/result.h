// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"

#include <optional>
#include <string>
#include <tl/expected.hpp>

namespace meshcraft::core::common {

/// A failed operation: a stable code, the message a user reads, and where it came from if known.
struct Error
{
    std::string code;
    std::string message;
    std::optional<SourceLocation> location;
};

/// Becomes std::expected once we build as C++23.
template <typename T> using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(std::string code, std::string message)
{
    return tl::unexpected<Error>(Error{std::move(code), std::move(message), std::nullopt});
}

} // namespace meshcraft::core::common

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace meshcraft::tests::fuzz {

/// One fuzz input through the config core: load, validate, and apply to a store, both ways.
/// Shared by the libFuzzer target and by the corpus replay test, so the corpus stays a test.
void runConfigInput(const std::uint8_t *data, std::size_t size);

} // namespace meshcraft::tests::fuzz

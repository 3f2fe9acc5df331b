// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <filesystem>

namespace meshcraft::core::common {

/// The folder that holds Meshcraft's read-only data (schemas, Helm values, labs).
/// It is `<dir of the running binary>/../share/meshcraft`, the same in a build tree and in an
/// installed tree, so nothing ever reaches into the source tree. MESHCRAFT_DATA_DIR overrides it.
std::filesystem::path dataDir();

/// dataDir() / relative.
std::filesystem::path dataPath(const std::filesystem::path &relative);

} // namespace meshcraft::core::common

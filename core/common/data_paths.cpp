// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/data_paths.h"

#include <cstdlib>
#include <system_error>

namespace meshcraft::core::common {

std::filesystem::path dataDir()
{
    if (const char *overridden = std::getenv("MESHCRAFT_DATA_DIR"); overridden && *overridden) {
        return overridden;
    }
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return "share/meshcraft";
    }
    return exe.parent_path().parent_path() / "share" / "meshcraft";
}

std::filesystem::path dataPath(const std::filesystem::path &relative)
{
    return dataDir() / relative;
}

} // namespace meshcraft::core::common

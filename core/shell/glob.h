// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/virtual_fs.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

/// Pathname expansion over the virtual filesystem. `active` has one char per char of
/// `pattern`: '1' where the char was unquoted and so may be a wildcard (`*`, `?`, `[…]`),
/// '0' where quoting made it literal. An empty `active` means every char is active.
bool hasWildcard(std::string_view pattern, std::string_view active = {});

/// Whether `name` matches one path component's pattern; a leading '.' must match literally.
bool globMatch(std::string_view pattern, std::string_view active, std::string_view name);

/// The sorted paths matching `pattern` (relative patterns give relative paths), or an empty
/// list when nothing matches, in which case bash keeps the word as typed.
std::vector<std::string> expandGlob(const VirtualFs &fs, std::string_view cwd,
                                    std::string_view pattern, std::string_view active = {});

} // namespace meshcraft::core::shell

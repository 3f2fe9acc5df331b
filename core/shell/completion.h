// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/environment.h"
#include "core/shell/shell_command.h"
#include "core/shell/virtual_fs.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

struct CompletionResult
{
    /// The word under the cursor is line[replaceFrom, cursor); a candidate replaces it.
    std::size_t replaceFrom = 0;
    std::string word;
    /// Whole replacement words, sorted. Folders end in '/'.
    std::vector<std::string> candidates;
    /// The longest prefix all candidates share: what Tab inserts at once.
    std::string commonPrefix;
    /// One candidate that is a finished word (not a folder): add a space after it.
    bool appendSpace = false;
};

/// What completion looks at; the interpreter fills it from the current shell context.
struct CompletionInput
{
    const CommandRegistry &commands;
    const VirtualFs &fs;
    std::string cwd;
    const Environment &variables;
    std::string home;
    ResourceNameProvider resourceNames; ///< May be empty
};

/// Candidates for the word at `cursor` (a byte offset into `line`): command names in command
/// position, `$VARIABLES`, the flags and subcommands a command declares, values of its flags,
/// its dynamic arguments (resource names), and file names from the virtual filesystem.
CompletionResult completeLine(std::string_view line, std::size_t cursor,
                              const CompletionInput &input);

/// The longest common prefix of `words`.
std::string commonPrefix(const std::vector<std::string> &words);

} // namespace meshcraft::core::shell

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::common {

std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string> &parts, std::string_view separator);
std::string trim(std::string_view text);
std::string toLower(std::string_view text);
std::string toUpper(std::string_view text);
bool startsWith(std::string_view text, std::string_view prefix);
bool endsWith(std::string_view text, std::string_view suffix);

/// Reads a whole file; nullopt if it cannot be opened.
std::optional<std::string> readFile(const std::string &path);

/// Levenshtein distance, for did-you-mean suggestions.
std::size_t editDistance(std::string_view a, std::string_view b);

} // namespace meshcraft::core::common

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

/// A shell's variables. Exported ones are what a command sees as its environment, as in a
/// POSIX shell; the others exist only for expansion (`FOO=1; echo $FOO`).
class Environment
{
public:
    struct Variable
    {
        std::string value;
        bool exported = false;
        bool operator==(const Variable &) const = default;
    };

    std::optional<std::string> get(std::string_view name) const;
    std::string value(std::string_view name) const; ///< Empty when unset.
    bool contains(std::string_view name) const;
    bool isExported(std::string_view name) const;

    /// Sets a value; keeps the exported flag of an existing variable.
    void set(std::string_view name, std::string value);
    /// Sets and exports.
    void exportVariable(std::string_view name, std::string value);
    /// Marks an existing (or new, empty and unset-valued) variable as exported.
    void markExported(std::string_view name);
    void unset(std::string_view name);

    /// Exported variables only, sorted by name (what `env` prints).
    std::vector<std::pair<std::string, std::string>> exported() const;
    const std::map<std::string, Variable, std::less<>> &all() const { return m_vars; }

    bool operator==(const Environment &) const = default;

    /// `[A-Za-z_][A-Za-z0-9_]*`
    static bool isValidName(std::string_view name);

private:
    std::map<std::string, Variable, std::less<>> m_vars;
};

} // namespace meshcraft::core::shell

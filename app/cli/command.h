// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace meshcraft::app::cli {

/// Exit statuses shared by every subcommand.
inline constexpr int ExitOk = 0;
inline constexpr int ExitFailure = 1;
inline constexpr int ExitUsage = 2;

/// What a subcommand gets: its own arguments (without the subcommand name) and the streams.
struct Invocation
{
    std::vector<std::string> args;
    std::istream &in;
    std::ostream &out;
    std::ostream &err;
};

/// One `meshcraft <name>` subcommand.
struct Command
{
    const char *name;
    const char *summary;
    const char *usage; ///< full help text, printed by `meshcraft <name> --help`
    int (*run)(Invocation &invocation);
};

/// A small option parser shared by the subcommands: `--flag`, `--key value`, `--key=value`,
/// and positionals. Unknown options are usage errors.
class OptionParser
{
public:
    OptionParser(const std::vector<std::string> &args, std::vector<std::string> flags,
                 std::vector<std::string> valued);

    bool ok() const { return m_error.empty(); }
    const std::string &error() const { return m_error; }
    bool has(const std::string &flag) const;
    std::optional<std::string> value(const std::string &key) const;
    std::vector<std::string> values(const std::string &key) const;
    const std::vector<std::string> &positionals() const { return m_positionals; }

private:
    std::vector<std::pair<std::string, std::string>> m_options;
    std::vector<std::string> m_positionals;
    std::string m_error;
};

/// Prints "meshcraft <cmd>: <message>" and a pointer to --help; returns ExitUsage.
int usageError(Invocation &invocation, const char *command, const std::string &message);

} // namespace meshcraft::app::cli

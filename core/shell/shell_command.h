// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/environment.h"
#include "core/shell/virtual_fs.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

class CommandRegistry;
class ShellContext;

/// Where a command writes. The interpreter decides what is behind it: the terminal, the next
/// stage of a pipe, a `<(…)` file, or a file from `>`.
class OutputSink
{
public:
    virtual ~OutputSink() = default;
    virtual void write(std::string_view text) = 0;
    void writeLine(std::string_view text)
    {
        write(text);
        write("\n");
    }
};

/// Something only the app can do, asked for by a command.
struct ShellAction
{
    enum class Kind {
        ClearScreen, ///< `clear`
        OpenEditor,  ///< `edit FILE`: path is absolute in the virtual filesystem
        Exit,        ///< `exit` (or end of input) in the outermost shell
    };
    Kind kind = Kind::ClearScreen;
    std::string path;
    int exitStatus = 0;
};

/// A command that keeps running after run() returns: interactive ones (telnet, redis-cli)
/// and ones waiting on another thread. The interpreter routes the terminal's lines to it while
/// it is attached. All calls come on the interpreter's thread.
class CommandSession
{
public:
    virtual ~CommandSession() = default;
    /// A line the user typed (without its '\n'), or the next scripted stdin line (D13).
    virtual void input(std::string_view line) { (void)line; }
    /// Ctrl+D, or the end of scripted input.
    virtual void endOfInput() {}
    /// Ctrl+C.
    virtual void interrupt() {}
    /// False if typed lines should wait for the shell instead (type-ahead), as for a command
    /// that reads nothing from the terminal.
    virtual bool wantsInput() const { return true; }
    /// The command's own prompt while attached ("10.59.118.59:6379> "); empty for none.
    virtual std::string prompt() const { return {}; }
};

/// What run() returns: finished with an exit status, or still running as a session that will
/// call CommandHandle::finish() later.
struct CommandStatus
{
    std::optional<int> exitStatus;
    std::shared_ptr<CommandSession> session;

    static CommandStatus exited(int status) { return CommandStatus{status, nullptr}; }
    static CommandStatus running(std::shared_ptr<CommandSession> session)
    {
        return CommandStatus{std::nullopt, std::move(session)};
    }
    bool isRunning() const { return !exitStatus.has_value(); }
};

namespace detail {
struct CommandRun;
class PostQueue;
} // namespace detail

/// A running command's link to its terminal, valid after run() returns. Copyable. Once the
/// command has finished, or the interpreter is gone, every call is a no-op.
/// out(), err() and finish() must be called on the interpreter's thread; a command working on
/// another thread gets there with post(), which is safe from any thread.
class CommandHandle
{
public:
    CommandHandle() = default;
    CommandHandle(std::weak_ptr<detail::CommandRun> run, std::weak_ptr<detail::PostQueue> queue);

    void out(std::string_view text) const;
    void err(std::string_view text) const;
    /// Ends the command with an exit status; the rest of the command line goes on.
    void finish(int exitStatus) const;
    /// An attached session has answered the last line and waits for the next: the terminal
    /// shows its prompt() again (redis-cli's "10.59.118.59:6379> " after the reply).
    void readyForInput() const;
    bool isActive() const;
    /// Runs `task` on the interpreter's thread (at its next processPosted()); thread-safe.
    void post(std::function<void()> task) const;

private:
    std::weak_ptr<detail::CommandRun> m_run;
    std::weak_ptr<detail::PostQueue> m_queue;
};

/// Called when a context pushed by enterContext() exits, with its exit status; returns the
/// status the entering command finishes with (kubectl exec can map or report it).
using ContextExitHandler = std::function<int(int exitStatus)>;

/// What a command sees while it runs. Valid only during run(): a command that keeps running
/// copies what it needs and talks to the terminal through handle().
class CommandContext
{
public:
    virtual ~CommandContext() = default;

    /// args()[0] is the command's name as typed.
    virtual const std::vector<std::string> &args() const = 0;

    /// Text from a pipe, a `<` file or a here-document. Empty when stdin is the terminal.
    virtual std::string_view stdinText() const = 0;
    virtual bool stdinIsTerminal() const = 0;
    virtual bool stdoutIsTerminal() const = 0;
    virtual OutputSink &out() = 0;
    virtual OutputSink &err() = 0;

    /// The environment a program gets: the exported variables plus `NAME=value cmd` ones.
    virtual const Environment &env() const = 0;
    /// The shell running the command: its variables, cwd, history and commands. Builtins
    /// (export, cd) change it; tools should only read it.
    virtual ShellContext &shell() = 0;
    virtual VirtualFs &fs() = 0;
    /// The working folder of the shell running the command.
    virtual const std::string &cwd() const = 0;

    /// cwd-relative, with `~` expanded. Does not check existence.
    virtual std::string resolvePath(std::string_view path) const = 0;
    /// Reads a file the way a program would: `-` and /dev/stdin give stdinText(), /dev/null
    /// is empty, /dev/fd/63… are this command's `<(…)` outputs, the rest is the VFS.
    virtual FsResult<std::string> readFile(std::string_view path) const = 0;

    virtual void requestAction(ShellAction action) = 0;

    /// For commands that return CommandStatus::running().
    virtual CommandHandle handle() = 0;
    /// Pushes a nested shell (kubectl exec -it POD /bin/sh). The terminal's lines run there
    /// until it exits; then this command finishes with onExit's result (default: the nested
    /// shell's status). Return the result from run().
    /// With `command` (kubectl exec POD -- redis-cli -h IP ping), the nested shell runs that
    /// argv once, as a program is exec'd (no parsing, no history), then leaves; meanwhile the
    /// terminal's lines go to it, so an interactive redis-cli works.
    virtual CommandStatus enterContext(std::unique_ptr<ShellContext> context,
                                       ContextExitHandler onExit = {},
                                       std::vector<std::string> command = {}) = 0;
    /// The `exit` builtin: leaves the current shell after this command.
    virtual void exitShell(int exitStatus) = 0;
};

// ---- Tab completion data a command declares ------------------------------------------------

/// Asks the app's model for resource names: kubectl get pods <TAB>.
using ResourceNameProvider =
    std::function<std::vector<std::string>(std::string_view resourceType, std::string_view ns)>;

struct CompletionRequest
{
    std::vector<std::string> words;     ///< Words before the one being completed, command first
    std::string prefix;                 ///< The partial word under the cursor, unquoted
    ResourceNameProvider resourceNames; ///< Never empty (returns nothing without a provider)

    /// The value given to a flag among `words` ("-n default", "--namespace=default").
    std::optional<std::string> flagValue(std::initializer_list<std::string_view> names) const;
    /// The words that are neither flags nor flag values, after `skip` leading ones.
    std::vector<std::string> positionals(std::size_t skip = 1) const;
};

using CandidateProvider = std::function<std::vector<std::string>(const CompletionRequest &)>;

struct FlagSpec
{
    std::vector<std::string> names; ///< {"-n", "--namespace"}
    bool takesValue = false;
    std::vector<std::string> values; ///< Fixed choices ("yaml", "wide")
    CandidateProvider valueProvider; ///< Dynamic choices (namespaces)
    bool valueIsFile = false;        ///< -f FILE
};

struct SubcommandSpec;

struct CompletionSpec
{
    std::vector<FlagSpec> flags;             ///< Also valid below, in subcommands
    std::vector<SubcommandSpec> subcommands; ///< kubectl get|apply|…
    bool files = true;                       ///< Complete file names for arguments
    CandidateProvider arguments;             ///< Dynamic arguments (resource types and names)
};

struct SubcommandSpec
{
    std::string name;
    CompletionSpec spec;
};

// ---- Commands ------------------------------------------------------------------------------

/// A command the terminal can run. Tools (gcloud, kubectl, helm, istioctl, telnet) implement
/// this and register with a context's CommandRegistry. run() must not block: long work goes
/// to another thread and comes back through CommandHandle::post().
class ShellCommand
{
public:
    enum class Kind {
        Program, ///< Lives on PATH: `which` shows location()
        Builtin, ///< Part of the shell (cd, export): `which` shows nothing
    };

    virtual ~ShellCommand() = default;
    virtual std::string_view name() const = 0;
    /// One line for `help`.
    virtual std::string_view summary() const { return {}; }
    virtual CommandStatus run(CommandContext &context) = 0;
    virtual CompletionSpec completion() const { return {}; }
    virtual Kind kind() const { return Kind::Program; }
    virtual std::string location() const { return "/usr/bin/" + std::string(name()); }
};

/// Names to commands. Shared by pointer so host and pod shells can hold the same `echo`.
class CommandRegistry
{
public:
    /// Replaces a command of the same name.
    void add(std::shared_ptr<ShellCommand> command);
    bool remove(std::string_view name);
    ShellCommand *find(std::string_view name) const;
    std::shared_ptr<ShellCommand> share(std::string_view name) const;
    std::vector<std::string> names() const; ///< Sorted
    bool empty() const { return m_commands.empty(); }

private:
    std::map<std::string, std::shared_ptr<ShellCommand>, std::less<>> m_commands;
};

/// A ShellCommand from a lambda, for small commands and tests.
class FunctionCommand : public ShellCommand
{
public:
    using Function = std::function<CommandStatus(CommandContext &)>;
    FunctionCommand(std::string name, std::string summary, Function function,
                    CompletionSpec completion = {}, Kind kind = Kind::Program);

    // Interface
    std::string_view name() const override { return m_name; }
    std::string_view summary() const override { return m_summary; }
    CommandStatus run(CommandContext &context) override { return m_function(context); }
    CompletionSpec completion() const override { return m_completion; }
    Kind kind() const override { return m_kind; }

private:
    std::string m_name;
    std::string m_summary;
    Function m_function;
    CompletionSpec m_completion;
    Kind m_kind;
};

} // namespace meshcraft::core::shell

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/completion.h"
#include "core/shell/shell_command.h"
#include "core/shell/shell_context.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell {

enum class OutputStream { Stdout, Stderr };

/// What the terminal (the app's widget, the CLI, a test) hears from the interpreter. All calls
/// come on the interpreter's thread.
class InterpreterObserver
{
public:
    enum class InputState {
        Ready,        ///< The shell's prompt (PS1)
        Continuation, ///< PS2: the line is not complete yet
        Attached,     ///< A command (telnet) reads the lines; its own prompt, often empty
    };

    virtual ~InterpreterObserver() = default;
    virtual void onOutput(OutputStream stream, std::string_view text)
    {
        (void)stream;
        (void)text;
    }
    virtual void onAction(const ShellAction &action) { (void)action; }
    /// A command line starts or ends in the shell named `context` ("host", a pod).
    virtual void onLineStarted(std::string_view context, std::string_view line)
    {
        (void)context;
        (void)line;
    }
    virtual void onLineFinished(std::string_view context, std::string_view line, int exitStatus)
    {
        (void)context;
        (void)line;
        (void)exitStatus;
    }
    /// One command (a pipe stage, a command in a list, a substitution's) ended: its expanded
    /// arguments and status. For history checks ("ran istioctl analyze before applying").
    virtual void onCommandFinished(std::string_view context, const std::vector<std::string> &args,
                                   int exitStatus)
    {
        (void)context;
        (void)args;
        (void)exitStatus;
    }
    /// The interpreter waits for input again: show `prompt`.
    virtual void onAwaitingInput(InputState state, std::string_view prompt)
    {
        (void)state;
        (void)prompt;
    }
};

struct InterpreterOptions
{
    /// Open quotes, a trailing `|`, `&&` or `\` and here-documents wait for more lines (PS2)
    /// as in an interactive bash. Off: such a line fails at once with bash's EOF error.
    bool continuationLines = true;
    /// Called from any thread after post(), so the host can schedule processPosted() on the
    /// interpreter's thread (a queued Qt call, a CLI loop's wake-up).
    std::function<void()> wake;
};

/// The terminal's command interpreter. It parses and runs lines with the commands of the
/// current shell context and never runs a host program or reads a host file. It never blocks:
/// a command that takes time returns a session and finishes later. Not thread-safe: use it
/// from one thread, and post() from others.
class Interpreter
{
public:
    enum class State {
        Ready,        ///< Waiting for a command line
        Continuation, ///< Waiting for the rest of a line
        Busy,         ///< A command runs and does not read the terminal; lines are queued
        Attached,     ///< A command reads the terminal's lines
        Exited,       ///< `exit` in the host shell, or the end of input
    };

    explicit Interpreter(std::unique_ptr<ShellContext> hostShell, InterpreterOptions options = {});
    ~Interpreter();
    Interpreter(const Interpreter &) = delete;
    Interpreter &operator=(const Interpreter &) = delete;

    void setObserver(InterpreterObserver *observer);

    /// A line from the terminal or a script, without its '\n'. It goes to the attached
    /// command, or is parsed and run, or waits its turn while a command is busy.
    void submitLine(std::string_view line);
    /// Ctrl+D: ends the attached command's input, or leaves the current shell.
    void sendEndOfFile();
    /// Scripted input has ended (D13): like Ctrl+D for every reader from now on, so an
    /// attached telnet ends, then a pod shell, then the host shell.
    void endOfInput();
    /// Ctrl+C: interrupts the running command, or drops a half-typed line. $? becomes 130.
    void interrupt();

    State state() const;
    /// What to show before the next input: PS1, PS2, or the attached command's prompt.
    std::string prompt() const;
    ShellContext &currentContext();
    const ShellContext &currentContext() const;
    ShellContext &hostContext();
    /// 1 for the host shell alone, 2 inside a pod's shell, …
    std::size_t contextDepth() const;
    int lastStatus() const;

    /// Tab completion in the current context.
    CompletionResult complete(std::string_view line, std::size_t cursor) const;
    void setResourceNameProvider(ResourceNameProvider provider);

    /// Thread-safe: runs `task` on the interpreter's thread at the next processPosted().
    void post(std::function<void()> task);
    /// Runs the posted tasks (command completions, output from worker threads).
    void processPosted();
    /// True if processPosted() has work.
    bool hasPosted() const;
    /// Blocks up to `timeout` until a task is posted; for a CLI or script loop that has
    /// nothing else to do (`lab shell` with stdin at its end). True if there is work.
    bool waitForPosted(std::chrono::milliseconds timeout);

    struct Impl; ///< Opaque; public only so the implementation's helpers can name it

private:
    std::unique_ptr<Impl> d;
};

} // namespace meshcraft::core::shell

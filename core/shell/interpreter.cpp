// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/interpreter.h"

#include "core/common/text.h"
#include "core/shell/command_line.h"
#include "core/shell/glob.h"

#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <mutex>

namespace meshcraft::core::shell {

namespace detail {

/// Tasks from any thread, run on the interpreter's thread.
class PostQueue
{
public:
    void post(std::function<void()> task)
    {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            if (m_closed) {
                return;
            }
            m_tasks.push_back(std::move(task));
            wake = m_wake;
        }
        m_posted.notify_all();
        if (wake) {
            wake();
        }
    }
    std::vector<std::function<void()>> take()
    {
        std::lock_guard lock(m_mutex);
        return std::exchange(m_tasks, {});
    }
    bool empty() const
    {
        std::lock_guard lock(m_mutex);
        return m_tasks.empty();
    }
    bool wait(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        return m_posted.wait_for(lock, timeout, [this] { return !m_tasks.empty() || m_closed; }) &&
               !m_tasks.empty();
    }
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_tasks.clear();
        m_wake = nullptr;
    }
    void setWake(std::function<void()> wake)
    {
        std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_posted;
    std::vector<std::function<void()>> m_tasks;
    std::function<void()> m_wake;
    bool m_closed = false;
};

} // namespace detail

namespace detail {

using Done = std::function<void(int)>;

class BufferSink : public OutputSink
{
public:
    void write(std::string_view text) override { m_text += text; }
    std::string &text() { return m_text; }

private:
    std::string m_text;
};

class NullSink : public OutputSink
{
public:
    void write(std::string_view) override {}
};

class FileSink : public OutputSink
{
public:
    FileSink(VirtualFs &fs, std::string path) : m_fs(fs), m_path(std::move(path)) {}
    void write(std::string_view text) override { (void)m_fs.appendFile(m_path, text); }

private:
    VirtualFs &m_fs;
    std::string m_path;
};

class CallbackSink : public OutputSink
{
public:
    explicit CallbackSink(std::function<void(std::string_view)> callback)
        : m_callback(std::move(callback))
    {
    }
    void write(std::string_view text) override
    {
        if (!text.empty()) {
            m_callback(text);
        }
    }

private:
    std::function<void(std::string_view)> m_callback;
};

/// Where a command's three streams go.
struct Io
{
    std::shared_ptr<const std::string> input; ///< null: the terminal
    std::shared_ptr<OutputSink> out;
    std::shared_ptr<OutputSink> err;
    bool outTerminal = true;
    bool subshell = false; ///< In a pipe or a substitution: `exit` leaves only that
};

constexpr std::string_view FakeShellPid = "4242";

} // namespace detail

namespace detail {

struct Frame;

/// A command line being run in one shell.
struct LineRun
{
    Frame *frame = nullptr;
    std::string text;
    std::shared_ptr<const CommandList> list;
    bool cancelled = false;
};

/// One shell on the stack.
struct Frame
{
    std::unique_ptr<ShellContext> context;
    std::string pendingText;                     ///< Lines waiting for their continuation
    std::shared_ptr<LineRun> line;               ///< The running line, if any
    std::shared_ptr<detail::CommandRun> current; ///< Its command that has not finished yet
    std::function<void(int)> onExit;             ///< Resumes the command that entered this shell
    bool exiting = false;
    int exitStatus = 0;
    /// kubectl exec POD -- CMD: the argv this shell runs once, then leaves.
    std::vector<std::string> oneShot;
    bool isOneShot = false;
    bool oneShotStarted = false;
};

class ContextImpl;

struct CommandRun
{
    Interpreter::Impl *impl = nullptr;
    std::shared_ptr<LineRun> line;
    std::unique_ptr<ContextImpl> context;
    std::shared_ptr<CommandSession> session;
    Done done;
    bool inRun = false;
    bool finished = false;
    bool endOfInputSent = false;
    std::optional<int> earlyStatus;
};
} // namespace detail

using detail::BufferSink;
using detail::CallbackSink;
using detail::CommandRun;
using detail::ContextImpl;
using detail::Done;
using detail::FileSink;
using detail::Frame;
using detail::Io;
using detail::LineRun;
using detail::NullSink;

struct Interpreter::Impl
{
    Impl(std::unique_ptr<ShellContext> host, InterpreterOptions options);

    // Input handling
    void deliver(const std::string &line);
    bool deliverEndOfFile(bool sticky);
    void settle();
    bool isAttached(const Frame &frame) const;
    Frame &top() { return *m_frames.back(); }
    const Frame &top() const { return *m_frames.back(); }
    State state() const;

    // Running
    void startLine(Frame &frame, const std::string &text, ParseResult parsed);
    void startOneShot(Frame &frame);
    void lineFinished(const std::shared_ptr<LineRun> &line, int status);
    void leaveFrame(Frame &frame);
    void runList(const std::shared_ptr<LineRun> &line, const CommandList &list, Io io, Done done);
    void runPipeline(const std::shared_ptr<LineRun> &line, const Pipeline &pipeline, Io io,
                     Done done);
    void runSimple(const std::shared_ptr<LineRun> &line, const SimpleCommand &command, Io io,
                   Done done);
    void finishRun(const std::shared_ptr<CommandRun> &run, int status);
    Io terminalIo();

    void emitOutput(OutputStream stream, std::string_view text)
    {
        if (m_observer) {
            m_observer->onOutput(stream, text);
        }
    }
    void reportCommand(const ShellContext &shell, const std::vector<std::string> &args, int status)
    {
        if (m_observer) {
            m_observer->onCommandFinished(shell.name(), args, status);
        }
    }
    void emitAction(const ShellAction &action)
    {
        if (m_observer) {
            m_observer->onAction(action);
        }
    }

    InterpreterOptions m_options;
    InterpreterObserver *m_observer = nullptr;
    std::vector<std::unique_ptr<Frame>> m_frames;
    std::deque<std::string> m_typeAhead;
    std::shared_ptr<detail::PostQueue> m_queue = std::make_shared<detail::PostQueue>();
    ResourceNameProvider m_resourceNames;
    bool m_inputEnded = false;
    bool m_exited = false;
    bool m_needPrompt = true;
    bool m_settling = false;
    int m_depth = 0;
    // Kept until the outermost call returns: a session may finish from inside its own input().
    std::vector<std::shared_ptr<CommandSession>> m_retiredSessions;
    std::vector<std::shared_ptr<CommandRun>> m_retiredRuns;
    std::vector<std::unique_ptr<Frame>> m_retiredFrames;
};

namespace {

/// Every public entry point holds one; the outermost settles (type-ahead, prompt).
class EntryGuard
{
public:
    explicit EntryGuard(Interpreter::Impl &impl) : m_impl(impl) { ++m_impl.m_depth; }
    ~EntryGuard()
    {
        if (--m_impl.m_depth == 0) {
            m_impl.settle();
        }
    }
    EntryGuard(const EntryGuard &) = delete;
    EntryGuard &operator=(const EntryGuard &) = delete;

private:
    Interpreter::Impl &m_impl;
};

// ---- Expansion -----------------------------------------------------------------------------

class Expander
{
public:
    Expander(const ShellContext &shell, const std::map<const WordPart *, std::string> &results)
        : m_shell(shell), m_results(results)
    {
    }

    /// Field splitting of unquoted expansions, as bash does with the default IFS, then
    /// pathname expansion of unquoted wildcards against the virtual filesystem.
    void fields(const Word &word, std::vector<std::string> &out)
    {
        std::string current;
        std::string active; // '1' per char that may be a wildcard
        bool have = false;
        const auto push = [&] {
            if (hasWildcard(current, active)) {
                auto matches = expandGlob(m_shell.fs(), m_shell.cwd(), current, active);
                if (!matches.empty()) {
                    std::move(matches.begin(), matches.end(), std::back_inserter(out));
                    current.clear();
                    active.clear();
                    return;
                }
            }
            out.push_back(std::move(current));
            current.clear();
            active.clear();
        };
        for (const WordPart &part : word.parts) {
            const std::string value = valueOf(part);
            const bool splits = !part.quoted && (part.kind == WordPart::Kind::Parameter ||
                                                 part.kind == WordPart::Kind::CommandSubstitution);
            if (!splits) {
                current += value;
                const bool globs = !part.quoted && part.kind == WordPart::Kind::Literal;
                active.append(value.size(), globs ? '1' : '0');
                have =
                    have || part.quoted || !value.empty() || part.kind != WordPart::Kind::Literal;
                continue;
            }
            for (const char c : value) {
                if (c == ' ' || c == '\t' || c == '\n') {
                    if (have) {
                        push();
                        have = false;
                    }
                } else {
                    current += c;
                    active += '1';
                    have = true;
                }
            }
        }
        if (have) {
            push();
        }
    }

    std::string joined(const Word &word)
    {
        std::string result;
        for (const WordPart &part : word.parts) {
            result += valueOf(part);
        }
        return result;
    }

    const std::optional<std::string> &error() const { return m_error; }

private:
    std::optional<std::string> parameter(const std::string &name) const
    {
        if (name == "?") {
            return std::to_string(m_shell.lastStatus());
        }
        if (name == "$") {
            return std::string(detail::FakeShellPid);
        }
        if (name == "#") {
            return std::string("0");
        }
        if (name == "0") {
            return m_shell.shellName();
        }
        if (name == "@" || name == "*" || name == "-") {
            return std::string();
        }
        if (name == "!" || (!name.empty() && name[0] >= '0' && name[0] <= '9')) {
            return std::nullopt;
        }
        return m_shell.variables().get(name);
    }

    /// The word in ${NAME:-word}: only $NAME and ${NAME} expand there.
    std::string operand(std::string_view text) const
    {
        std::string out;
        for (std::size_t i = 0; i < text.size();) {
            if (text[i] != '$') {
                out += text[i++];
                continue;
            }
            std::size_t end = i + 1;
            const bool braced = end < text.size() && text[end] == '{';
            end += braced ? 1 : 0;
            const std::size_t start = end;
            while (end < text.size() &&
                   (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
                ++end;
            }
            out += parameter(std::string(text.substr(start, end - start))).value_or("");
            i = end + (braced && end < text.size() && text[end] == '}' ? 1 : 0);
        }
        return out;
    }

    std::string valueOf(const WordPart &part)
    {
        switch (part.kind) {
        case WordPart::Kind::Literal:
            return part.text;
        case WordPart::Kind::Tilde:
            return m_shell.expandTilde(part.text);
        case WordPart::Kind::CommandSubstitution:
        case WordPart::Kind::ProcessSubstitution: {
            const auto it = m_results.find(&part);
            return it == m_results.end() ? std::string() : it->second;
        }
        case WordPart::Kind::BadSubstitution:
            if (!m_error) {
                m_error = part.text + ": bad substitution";
            }
            return {};
        case WordPart::Kind::Parameter:
            break;
        }
        const std::optional<std::string> raw = parameter(part.text);
        switch (part.op) {
        case WordPart::Operator::None:
            return raw.value_or("");
        case WordPart::Operator::Length:
            return std::to_string(raw.value_or("").size());
        case WordPart::Operator::UseDefault:
            return raw && !raw->empty() ? *raw : operand(part.operand);
        case WordPart::Operator::UseDefaultIfUnset:
            return raw ? *raw : operand(part.operand);
        case WordPart::Operator::UseAlternative:
            return raw && !raw->empty() ? operand(part.operand) : std::string();
        }
        return {};
    }

    const ShellContext &m_shell;
    const std::map<const WordPart *, std::string> &m_results;
    std::optional<std::string> m_error;
};

void collectSubstitutions(const Word &word, std::vector<const WordPart *> &out)
{
    for (const WordPart &part : word.parts) {
        if (part.kind == WordPart::Kind::CommandSubstitution ||
            part.kind == WordPart::Kind::ProcessSubstitution) {
            out.push_back(&part);
        }
    }
}

} // namespace

// ---- What a command sees -------------------------------------------------------------------

namespace detail {

class ContextImpl : public CommandContext
{
public:
    ContextImpl(Interpreter::Impl &impl, Frame &frame, std::vector<std::string> args, Io io,
                Environment env, std::map<int, std::string> processFiles)
        : m_impl(impl), m_frame(frame), m_args(std::move(args)), m_io(std::move(io)),
          m_env(std::move(env)), m_processFiles(std::move(processFiles))
    {
    }

    void setRun(std::weak_ptr<CommandRun> run) { m_run = std::move(run); }

    // Interface
    const std::vector<std::string> &args() const override { return m_args; }
    std::string_view stdinText() const override
    {
        return m_io.input ? std::string_view(*m_io.input) : std::string_view();
    }
    bool stdinIsTerminal() const override { return !m_io.input; }
    bool stdoutIsTerminal() const override { return m_io.outTerminal; }
    OutputSink &out() override { return *m_io.out; }
    OutputSink &err() override { return *m_io.err; }
    const Environment &env() const override { return m_env; }
    ShellContext &shell() override { return *m_frame.context; }
    VirtualFs &fs() override { return m_frame.context->fs(); }

    std::string resolvePath(std::string_view path) const override
    {
        const ShellContext &shell = *m_frame.context;
        if (path == "~" || common::startsWith(path, "~/")) {
            return VirtualFs::resolve(shell.cwd(), shell.home() + std::string(path.substr(1)));
        }
        return VirtualFs::resolve(shell.cwd(), path);
    }

    FsResult<std::string> readFile(std::string_view path) const override
    {
        if (path == "-" || path == "/dev/stdin" || path == "/dev/fd/0") {
            return std::string(stdinText());
        }
        if (path == "/dev/null") {
            return std::string();
        }
        if (common::startsWith(path, "/dev/fd/")) {
            int fd = -1;
            const std::string_view number = path.substr(8);
            std::from_chars(number.data(), number.data() + number.size(), fd);
            if (const auto it = m_processFiles.find(fd); it != m_processFiles.end()) {
                return it->second;
            }
            return tl::unexpected(FsError{FsErrorCode::NotFound, std::string(path)});
        }
        return m_frame.context->fs().readFile(resolvePath(path));
    }

    void requestAction(ShellAction action) override { m_impl.emitAction(action); }

    CommandHandle handle() override { return CommandHandle(m_run, m_impl.m_queue); }

    const std::string &cwd() const override { return m_frame.context->cwd(); }

    CommandStatus enterContext(std::unique_ptr<ShellContext> context, ContextExitHandler onExit,
                               std::vector<std::string> command) override
    {
        auto frame = std::make_unique<Frame>();
        frame->context = std::move(context);
        frame->isOneShot = !command.empty();
        frame->oneShot = std::move(command);
        Interpreter::Impl *impl = &m_impl;
        std::weak_ptr<CommandRun> weakRun = m_run;
        frame->onExit = [impl, weakRun, onExit = std::move(onExit)](int status) {
            const int result = onExit ? onExit(status) : status;
            if (const auto run = weakRun.lock()) {
                impl->finishRun(run, result);
            }
        };
        m_impl.m_frames.push_back(std::move(frame));
        m_impl.m_needPrompt = true;
        return CommandStatus::running(nullptr);
    }

    void exitShell(int exitStatus) override
    {
        if (m_io.subshell) {
            return;
        }
        m_frame.exiting = true;
        m_frame.exitStatus = exitStatus;
    }

private:
    Interpreter::Impl &m_impl;
    Frame &m_frame;
    std::vector<std::string> m_args;
    Io m_io;
    Environment m_env;
    std::map<int, std::string> m_processFiles;
    std::weak_ptr<CommandRun> m_run;
};

} // namespace detail

// ---- CommandHandle -------------------------------------------------------------------------

CommandHandle::CommandHandle(std::weak_ptr<detail::CommandRun> run,
                             std::weak_ptr<detail::PostQueue> queue)
    : m_run(std::move(run)), m_queue(std::move(queue))
{
}

void CommandHandle::out(std::string_view text) const
{
    if (const auto run = m_run.lock(); run && !run->finished && !run->line->cancelled) {
        run->context->out().write(text);
    }
}

void CommandHandle::err(std::string_view text) const
{
    if (const auto run = m_run.lock(); run && !run->finished && !run->line->cancelled) {
        run->context->err().write(text);
    }
}

void CommandHandle::finish(int exitStatus) const
{
    if (const auto run = m_run.lock(); run && !run->finished) {
        EntryGuard guard(*run->impl);
        run->impl->finishRun(run, exitStatus);
    }
}

void CommandHandle::readyForInput() const
{
    if (const auto run = m_run.lock(); run && !run->finished && !run->line->cancelled) {
        EntryGuard guard(*run->impl);
        run->impl->m_needPrompt = true;
    }
}

bool CommandHandle::isActive() const
{
    const auto run = m_run.lock();
    return run && !run->finished && !run->line->cancelled;
}

void CommandHandle::post(std::function<void()> task) const
{
    if (const auto queue = m_queue.lock()) {
        queue->post(std::move(task));
    }
}

// ---- Execution -----------------------------------------------------------------------------

namespace {

struct ListExecution : std::enable_shared_from_this<ListExecution>
{
    Interpreter::Impl *impl = nullptr;
    std::shared_ptr<LineRun> line;
    const CommandList *list = nullptr;
    Io io;
    Done done;
    std::size_t index = 0;
    int status = 0;
    bool stepping = false;
    bool again = false;

    // A trampoline: commands that finish at once continue this loop instead of recursing, so
    // a line of thousands of commands needs no deeper stack than one of two.
    void step()
    {
        if (stepping) {
            again = true;
            return;
        }
        stepping = true;
        again = true;
        const auto self = shared_from_this();
        while (again && !line->cancelled) {
            again = false;
            if (line->frame->exiting || index >= list->items.size()) {
                stepping = false;
                Done finish = std::move(done);
                finish(status);
                return;
            }
            if (index > 0) {
                const Connector connector = list->items[index - 1].connector;
                if ((connector == Connector::And && status != 0) ||
                    (connector == Connector::Or && status == 0)) {
                    ++index;
                    again = true;
                    continue;
                }
            }
            const Pipeline &pipeline = list->items[index++].pipeline;
            impl->runPipeline(line, pipeline, io, [self](int result) {
                self->status = result;
                self->line->frame->context->setLastStatus(result);
                self->step();
            });
        }
        stepping = false;
    }
};

struct PipelineExecution : std::enable_shared_from_this<PipelineExecution>
{
    Interpreter::Impl *impl = nullptr;
    std::shared_ptr<LineRun> line;
    const Pipeline *pipeline = nullptr;
    Io io;
    Done done;
    std::size_t index = 0;
    std::shared_ptr<const std::string> carried;
    std::shared_ptr<ShellContext::State> saved; ///< Each stage of a real pipe is a subshell
    bool stepping = false;
    bool again = false;

    // The same trampoline as ListExecution's, over the stages.
    void step()
    {
        if (stepping) {
            again = true;
            return;
        }
        stepping = true;
        again = true;
        const auto self = shared_from_this();
        while (again && !line->cancelled) {
            again = false;
            const bool last = index + 1 == pipeline->commands.size();
            Io stage = io;
            stage.subshell = io.subshell || pipeline->commands.size() > 1;
            if (index > 0) {
                stage.input = carried;
            }
            std::shared_ptr<BufferSink> buffer;
            if (!last) {
                buffer = std::make_shared<BufferSink>();
                stage.out = buffer;
                stage.outTerminal = false;
            }
            if (pipeline->commands.size() > 1 && !saved) {
                saved = std::make_shared<ShellContext::State>(line->frame->context->state());
            }
            const SimpleCommand &command = pipeline->commands[index++];
            impl->runSimple(line, command, stage, [self, buffer, last](int status) {
                if (self->saved && !self->line->cancelled) {
                    self->line->frame->context->restore(*self->saved);
                }
                if (last) {
                    const int result = self->pipeline->negated ? (status == 0 ? 1 : 0) : status;
                    Done finish = std::move(self->done);
                    finish(result);
                    return;
                }
                self->carried = std::make_shared<const std::string>(std::move(buffer->text()));
                self->step();
            });
        }
        stepping = false;
    }
};

struct SimpleExecution : std::enable_shared_from_this<SimpleExecution>
{
    Interpreter::Impl *impl = nullptr;
    std::shared_ptr<LineRun> line;
    const SimpleCommand *command = nullptr;
    Io io;
    Done done;
    std::vector<const WordPart *> substitutions;
    std::size_t next = 0;
    std::map<const WordPart *, std::string> results;
    std::map<int, std::string> processFiles;
    int nextFd = 63;
    std::optional<int> substitutionStatus;
    std::shared_ptr<const CommandList> aliasList; ///< Keeps an alias's parsed words alive

    void start()
    {
        for (const Assignment &assignment : command->assignments) {
            collectSubstitutions(assignment.value, substitutions);
        }
        for (const Word &word : command->words) {
            collectSubstitutions(word, substitutions);
        }
        for (const Redirection &redirection : command->redirections) {
            collectSubstitutions(redirection.target, substitutions);
        }
        runSubstitutions();
    }

    // bash runs them before the command, left to right; so do we, one after another.
    void runSubstitutions()
    {
        if (line->cancelled) {
            return;
        }
        if (next == substitutions.size()) {
            execute();
            return;
        }
        const WordPart *part = substitutions[next++];
        auto buffer = std::make_shared<BufferSink>();
        Io inner{nullptr, buffer, io.err, false, true};
        auto self = shared_from_this();
        // A subshell: `$(cd /tmp; export X=1)` changes nothing outside.
        ShellContext &shell = *line->frame->context;
        auto saved = std::make_shared<ShellContext::State>(shell.state());
        const int savedStatus = shell.lastStatus();
        impl->runList(line, *part->commands, inner,
                      [self, part, buffer, saved, savedStatus](int status) {
                          ShellContext &parent = *self->line->frame->context;
                          parent.restore(std::move(*saved));
                          std::string &text = buffer->text();
                          if (part->kind == WordPart::Kind::ProcessSubstitution) {
                              parent.setLastStatus(savedStatus); // <(…) never sets $?
                              const int fd = self->nextFd--;
                              self->processFiles[fd] = std::move(text);
                              self->results[part] = "/dev/fd/" + std::to_string(fd);
                          } else {
                              while (!text.empty() && text.back() == '\n') {
                                  text.pop_back();
                              }
                              self->results[part] = std::move(text);
                              self->substitutionStatus = status;
                          }
                          self->runSubstitutions();
                      });
    }

    void fail(const Io &streams, const std::string &message, int status)
    {
        streams.err->write(line->frame->context->shellName() + ": " + message + "\n");
        Done finish = std::move(done);
        finish(status);
    }

    /// Applies the redirections to `io`; false (with the message printed) if one fails.
    bool redirect(Expander &expander, Io &result, std::string &message)
    {
        ShellContext &shell = *line->frame->context;
        VirtualFs &fs = shell.fs();
        for (const Redirection &redirection : command->redirections) {
            std::string target;
            if (redirection.op == Redirection::Op::HereDocument) {
                result.input =
                    std::make_shared<const std::string>(expander.joined(redirection.target));
                continue;
            }
            if (redirection.op != Redirection::Op::DuplicateOutput) {
                std::vector<std::string> fields;
                expander.fields(redirection.target, fields);
                if (fields.size() != 1) {
                    message = redirection.target.source + ": ambiguous redirect";
                    return false;
                }
                target = fields[0];
            }
            const std::string path = target == "~" || common::startsWith(target, "~/")
                                         ? shell.home() + target.substr(1)
                                         : target;
            const std::string absolute = VirtualFs::resolve(shell.cwd(), path);
            switch (redirection.op) {
            case Redirection::Op::Input: {
                FsResult<std::string> text = std::string();
                if (common::startsWith(target, "/dev/fd/")) {
                    const auto it = processFiles.find(std::atoi(target.c_str() + 8));
                    text = it != processFiles.end()
                               ? FsResult<std::string>(it->second)
                               : tl::unexpected(FsError{FsErrorCode::NotFound, target});
                } else if (target != "/dev/null") {
                    text = fs.readFile(absolute);
                }
                if (!text) {
                    message = target + ": " + std::string(text.error().description());
                    return false;
                }
                result.input = std::make_shared<const std::string>(std::move(*text));
                break;
            }
            case Redirection::Op::Output:
            case Redirection::Op::Append: {
                std::shared_ptr<OutputSink> sink;
                bool terminal = false;
                if (target == "/dev/null") {
                    sink = std::make_shared<NullSink>();
                } else if (target == "/dev/stdout") {
                    sink = result.out;
                    terminal = result.outTerminal;
                } else if (target == "/dev/stderr") {
                    sink = result.err;
                } else {
                    if (fs.isDirectory(absolute)) {
                        message = target + ": Is a directory";
                        return false;
                    }
                    const bool append = redirection.op == Redirection::Op::Append;
                    if (!append || !fs.exists(absolute)) {
                        if (auto made = fs.writeFile(absolute, {}); !made) {
                            message = target + ": " + std::string(made.error().description());
                            return false;
                        }
                    }
                    sink = std::make_shared<FileSink>(fs, absolute);
                }
                if (redirection.fd == 1) {
                    result.out = sink;
                    result.outTerminal = terminal;
                } else if (redirection.fd == 2) {
                    result.err = sink;
                }
                break;
            }
            case Redirection::Op::DuplicateOutput: {
                std::shared_ptr<OutputSink> source;
                bool terminal = false;
                if (redirection.duplicateOf == 1) {
                    source = result.out;
                    terminal = result.outTerminal;
                } else if (redirection.duplicateOf == 2) {
                    source = result.err;
                    terminal = true;
                } else {
                    message = std::to_string(redirection.duplicateOf) + ": Bad file descriptor";
                    return false;
                }
                if (redirection.fd == 1) {
                    result.out = source;
                    result.outTerminal = terminal;
                } else if (redirection.fd == 2) {
                    result.err = source;
                }
                break;
            }
            case Redirection::Op::HereDocument:
                break;
            }
        }
        return true;
    }

    ShellCommand *lookup(ShellContext &shell, const std::string &name, std::string &message,
                         int &status)
    {
        if (ShellCommand *found = shell.commands().find(name)) {
            return found;
        }
        if (name.find('/') == std::string::npos) {
            message = shell.commandNotFound(name);
            status = 127;
            return nullptr;
        }
        // A path: a registered program by its location, else never a file's contents.
        const std::string absolute = VirtualFs::resolve(shell.cwd(), name);
        for (const std::string &candidate : shell.commands().names()) {
            ShellCommand *program = shell.commands().find(candidate);
            if (program->kind() == ShellCommand::Kind::Program && program->location() == absolute) {
                return program;
            }
        }
        const std::string prefix = shell.shellName() + ": " + name + ": ";
        if (shell.fs().isDirectory(absolute)) {
            message = prefix + "Is a directory\n";
            status = 126;
        } else if (shell.fs().exists(absolute)) {
            message = prefix + "Permission denied\n";
            status = 126;
        } else {
            message = prefix + "No such file or directory\n";
            status = 127;
        }
        return nullptr;
    }

    /// An unquoted first word naming an alias stands for the alias's words (one level, as
    /// `alias ls='ls -l'` must not loop).
    bool expandAlias(const Word &word, Expander &expander, std::vector<std::string> &args)
    {
        const ShellContext &shell = *line->frame->context;
        if (word.parts.size() != 1 || word.parts[0].kind != WordPart::Kind::Literal ||
            word.parts[0].quoted) {
            return false;
        }
        const auto alias = shell.aliases().find(word.parts[0].text);
        if (alias == shell.aliases().end()) {
            return false;
        }
        // Parsed again at each use, so `alias r='echo $REDIS_ADDR'` sees the current value.
        const ParseResult parsed = parseCommandLine(alias->second);
        if (parsed.error || parsed.list.items.size() != 1 ||
            parsed.list.items[0].pipeline.commands.size() != 1) {
            return false;
        }
        aliasList = std::make_shared<const CommandList>(parsed.list);
        for (const Word &aliasWord : aliasList->items[0].pipeline.commands[0].words) {
            expander.fields(aliasWord, args);
        }
        return true;
    }

    void execute()
    {
        ShellContext &shell = *line->frame->context;
        Expander expander(shell, results);
        std::vector<std::pair<std::string, std::string>> assignments;
        for (const Assignment &assignment : command->assignments) {
            assignments.emplace_back(assignment.name, expander.joined(assignment.value));
        }
        std::vector<std::string> args;
        for (std::size_t i = 0; i < command->words.size(); ++i) {
            if (i == 0 && expandAlias(command->words[0], expander, args)) {
                continue;
            }
            expander.fields(command->words[i], args);
        }
        if (expander.error()) {
            fail(io, *expander.error(), 1);
            return;
        }
        Io streams = io;
        std::string message;
        const bool redirected = redirect(expander, streams, message);
        if (expander.error()) {
            fail(io, *expander.error(), 1);
            return;
        }
        if (!redirected) {
            fail(io, message, 1);
            return;
        }
        if (args.empty()) {
            for (auto &[name, value] : assignments) {
                shell.variables().set(name, std::move(value));
            }
            Done finish = std::move(done);
            finish(substitutionStatus.value_or(0));
            return;
        }
        int status = 0;
        ShellCommand *found = lookup(shell, args[0], message, status);
        if (!found) {
            streams.err->write(message);
            impl->reportCommand(shell, args, status);
            Done finish = std::move(done);
            finish(status);
            return;
        }
        Environment env;
        for (const auto &[name, value] : shell.variables().exported()) {
            env.exportVariable(name, value);
        }
        for (const auto &[name, value] : assignments) {
            env.exportVariable(name, value);
        }
        auto run = std::make_shared<CommandRun>();
        run->impl = impl;
        run->line = line;
        run->done = std::move(done);
        run->context = std::make_unique<ContextImpl>(*impl, *line->frame, std::move(args), streams,
                                                     std::move(env), std::move(processFiles));
        run->context->setRun(run);
        run->inRun = true;
        CommandStatus result;
        try {
            result = found->run(*run->context);
        } catch (const std::exception &error) {
            streams.err->write(shell.shellName() + ": " + std::string(found->name()) +
                               ": internal error: " + error.what() + "\n");
            result = CommandStatus::exited(1);
        } catch (...) {
            streams.err->write(shell.shellName() + ": " + std::string(found->name()) +
                               ": internal error\n");
            result = CommandStatus::exited(1);
        }
        run->inRun = false;
        if (!result.isRunning()) {
            impl->finishRun(run, *result.exitStatus);
        } else if (run->earlyStatus) {
            impl->finishRun(run, *run->earlyStatus);
        } else {
            run->session = std::move(result.session);
            line->frame->current = run;
            impl->m_needPrompt = true;
        }
    }
};

} // namespace

Interpreter::Impl::Impl(std::unique_ptr<ShellContext> host, InterpreterOptions options)
    : m_options(std::move(options))
{
    auto frame = std::make_unique<Frame>();
    frame->context = std::move(host);
    m_frames.push_back(std::move(frame));
    m_queue->setWake(m_options.wake);
}

Io Interpreter::Impl::terminalIo()
{
    Io io;
    io.out = std::make_shared<CallbackSink>(
        [this](std::string_view text) { emitOutput(OutputStream::Stdout, text); });
    io.err = std::make_shared<CallbackSink>(
        [this](std::string_view text) { emitOutput(OutputStream::Stderr, text); });
    io.outTerminal = true;
    return io;
}

void Interpreter::Impl::runList(const std::shared_ptr<LineRun> &line, const CommandList &list,
                                Io io, Done done)
{
    auto execution = std::make_shared<ListExecution>();
    execution->impl = this;
    execution->line = line;
    execution->list = &list;
    execution->io = std::move(io);
    execution->done = std::move(done);
    execution->status = line->frame->context->lastStatus();
    execution->step();
}

void Interpreter::Impl::runPipeline(const std::shared_ptr<LineRun> &line, const Pipeline &pipeline,
                                    Io io, Done done)
{
    auto execution = std::make_shared<PipelineExecution>();
    execution->impl = this;
    execution->line = line;
    execution->pipeline = &pipeline;
    execution->io = std::move(io);
    execution->done = std::move(done);
    execution->step();
}

void Interpreter::Impl::runSimple(const std::shared_ptr<LineRun> &line,
                                  const SimpleCommand &command, Io io, Done done)
{
    auto execution = std::make_shared<SimpleExecution>();
    execution->impl = this;
    execution->line = line;
    execution->command = &command;
    execution->io = std::move(io);
    execution->done = std::move(done);
    execution->start();
}

void Interpreter::Impl::finishRun(const std::shared_ptr<CommandRun> &run, int status)
{
    if (run->finished) {
        return;
    }
    if (run->inRun) {
        run->earlyStatus = status;
        return;
    }
    run->finished = true;
    m_retiredRuns.push_back(run);
    if (run->session) {
        m_retiredSessions.push_back(std::move(run->session));
    }
    if (run->line->cancelled) {
        return;
    }
    reportCommand(run->context->shell(), run->context->args(), status);
    if (run->line->frame->current == run) {
        run->line->frame->current.reset();
    }
    m_needPrompt = true;
    Done done = std::move(run->done);
    done(status);
}

void Interpreter::Impl::startLine(Frame &frame, const std::string &text, ParseResult parsed)
{
    ShellContext &shell = *frame.context;
    if (common::trim(text).empty()) {
        return;
    }
    shell.history().push_back(text);
    auto line = std::make_shared<LineRun>();
    line->frame = &frame;
    line->text = text;
    frame.line = line;
    if (m_observer) {
        m_observer->onLineStarted(shell.name(), text);
    }
    if (parsed.error) {
        emitOutput(OutputStream::Stderr, syntaxErrorMessage(*parsed.error, shell.shellName(),
                                                            shell.flavor() == ShellFlavor::Ash) +
                                             "\n");
        lineFinished(line, 2);
        return;
    }
    line->list = std::make_shared<const CommandList>(std::move(parsed.list));
    runList(line, *line->list, terminalIo(),
            [this, line](int status) { lineFinished(line, status); });
}

void Interpreter::Impl::startOneShot(Frame &frame)
{
    // The argv runs as a program would be exec'd: already expanded, never parsed again.
    frame.oneShotStarted = true;
    SimpleCommand command;
    std::string text;
    for (const std::string &arg : frame.oneShot) {
        WordPart part;
        part.text = arg;
        part.quoted = true;
        Word word;
        word.parts.push_back(std::move(part));
        word.source = quoteWord(arg);
        text += (text.empty() ? "" : " ") + word.source;
        command.words.push_back(std::move(word));
    }
    CommandList list;
    list.items.emplace_back();
    list.items.back().pipeline.commands.push_back(std::move(command));
    auto line = std::make_shared<LineRun>();
    line->frame = &frame;
    line->text = text;
    line->list = std::make_shared<const CommandList>(std::move(list));
    frame.line = line;
    if (m_observer) {
        m_observer->onLineStarted(frame.context->name(), text);
    }
    runList(line, *line->list, terminalIo(),
            [this, line](int status) { lineFinished(line, status); });
}

void Interpreter::Impl::lineFinished(const std::shared_ptr<LineRun> &line, int status)
{
    Frame &frame = *line->frame;
    frame.context->setLastStatus(status);
    frame.line.reset();
    m_needPrompt = true;
    if (m_observer) {
        m_observer->onLineFinished(frame.context->name(), line->text, status);
    }
    if (frame.isOneShot && !frame.exiting) {
        frame.exiting = true;
        frame.exitStatus = status;
    }
    if (frame.exiting) {
        leaveFrame(frame);
    }
}

void Interpreter::Impl::leaveFrame(Frame &frame)
{
    const int status = frame.exitStatus;
    m_needPrompt = true;
    if (&frame == m_frames.front().get()) {
        m_exited = true;
        m_typeAhead.clear();
        emitAction(ShellAction{ShellAction::Kind::Exit, {}, status});
        return;
    }
    std::unique_ptr<Frame> owned = std::move(m_frames.back());
    m_frames.pop_back();
    if (owned->line) {
        owned->line->cancelled = true;
    }
    std::function<void(int)> onExit = std::move(owned->onExit);
    m_retiredFrames.push_back(std::move(owned));
    if (onExit) {
        onExit(status);
    }
}

bool Interpreter::Impl::isAttached(const Frame &frame) const
{
    return frame.current && frame.current->session && frame.current->context->stdinIsTerminal() &&
           frame.current->session->wantsInput();
}

Interpreter::State Interpreter::Impl::state() const
{
    if (m_exited) {
        return State::Exited;
    }
    const Frame &frame = top();
    if (isAttached(frame)) {
        return State::Attached;
    }
    if (frame.line) {
        return State::Busy;
    }
    return frame.pendingText.empty() ? State::Ready : State::Continuation;
}

void Interpreter::Impl::deliver(const std::string &line)
{
    Frame &frame = top();
    if (isAttached(frame)) {
        // Its prompt comes back when it says so (readyForInput), after its reply.
        const std::shared_ptr<CommandSession> session = frame.current->session;
        session->input(line);
        return;
    }
    m_needPrompt = true;
    std::string text = frame.pendingText.empty() ? line : frame.pendingText + "\n" + line;
    ParseResult parsed = parseCommandLine(text);
    if (parsed.incomplete && m_options.continuationLines) {
        frame.pendingText = std::move(text);
        return;
    }
    frame.pendingText.clear();
    startLine(frame, text, std::move(parsed));
}

bool Interpreter::Impl::deliverEndOfFile(bool sticky)
{
    Frame &frame = top();
    if (isAttached(frame)) {
        const std::shared_ptr<CommandRun> run = frame.current;
        if (run->endOfInputSent) {
            return false;
        }
        run->endOfInputSent = true;
        const std::shared_ptr<CommandSession> session = run->session;
        session->endOfInput();
        return true;
    }
    if (frame.line) {
        return false;
    }
    m_needPrompt = true;
    if (!frame.pendingText.empty()) {
        // bash reports the unfinished construct; interactively it then returns to PS1.
        std::string text = std::exchange(frame.pendingText, {});
        ParseResult parsed = parseCommandLine(text);
        if (!parsed.error) {
            startLine(frame, text, std::move(parsed));
            return true;
        }
        startLine(frame, text, std::move(parsed));
        if (!sticky) {
            return true;
        }
    }
    frame.exiting = true;
    frame.exitStatus = frame.context->lastStatus();
    leaveFrame(frame);
    return true;
}

void Interpreter::Impl::settle()
{
    if (m_settling) {
        return;
    }
    m_settling = true;
    ++m_depth;
    while (!m_exited) {
        const Frame &frame = top();
        if (frame.line && !isAttached(frame)) {
            break; // busy: type-ahead waits
        }
        if (frame.isOneShot && !frame.oneShotStarted) {
            startOneShot(top());
            continue;
        }
        if (!m_typeAhead.empty()) {
            const std::string line = std::move(m_typeAhead.front());
            m_typeAhead.pop_front();
            deliver(line);
            continue;
        }
        if (m_inputEnded && deliverEndOfFile(true)) {
            continue;
        }
        break;
    }
    --m_depth;
    m_retiredSessions.clear();
    m_retiredRuns.clear();
    m_retiredFrames.clear();
    m_settling = false;
    const State now = state();
    if (m_needPrompt && m_observer &&
        (now == State::Ready || now == State::Continuation || now == State::Attached)) {
        m_needPrompt = false;
        const InterpreterObserver::InputState inputState =
            now == State::Ready          ? InterpreterObserver::InputState::Ready
            : now == State::Continuation ? InterpreterObserver::InputState::Continuation
                                         : InterpreterObserver::InputState::Attached;
        const Frame &frame = top();
        const std::string prompt = now == State::Ready ? frame.context->prompt()
                                   : now == State::Continuation
                                       ? frame.context->continuationPrompt()
                                       : frame.current->session->prompt();
        m_observer->onAwaitingInput(inputState, prompt);
    }
}

// ---- Interpreter ---------------------------------------------------------------------------

Interpreter::Interpreter(std::unique_ptr<ShellContext> hostShell, InterpreterOptions options)
    : d(std::make_unique<Impl>(std::move(hostShell), std::move(options)))
{
}

Interpreter::~Interpreter()
{
    d->m_queue->close();
    d->m_observer = nullptr;
    for (const auto &frame : d->m_frames) {
        if (frame->line) {
            frame->line->cancelled = true;
        }
    }
    // Sessions go first, while the contexts their commands saw still exist.
    for (auto frame = d->m_frames.rbegin(); frame != d->m_frames.rend(); ++frame) {
        (*frame)->current.reset();
    }
}

void Interpreter::setObserver(InterpreterObserver *observer)
{
    d->m_observer = observer;
}

void Interpreter::submitLine(std::string_view line)
{
    EntryGuard guard(*d);
    if (d->m_exited) {
        return;
    }
    // Always through the queue, so lines keep their order behind a busy command.
    d->m_typeAhead.emplace_back(line);
}

void Interpreter::sendEndOfFile()
{
    EntryGuard guard(*d);
    if (d->m_exited) {
        return;
    }
    const Frame &frame = d->top();
    if (frame.line && !d->isAttached(frame)) {
        return; // a busy command reads no terminal: nothing to end
    }
    if (d->isAttached(frame)) {
        d->top().current->endOfInputSent = false; // Ctrl+D may be pressed again
    }
    d->deliverEndOfFile(false);
}

void Interpreter::endOfInput()
{
    EntryGuard guard(*d);
    d->m_inputEnded = true;
}

void Interpreter::interrupt()
{
    EntryGuard guard(*d);
    if (d->m_exited) {
        return;
    }
    Frame &frame = d->top();
    if (frame.current) {
        if (const std::shared_ptr<CommandSession> session = frame.current->session) {
            session->interrupt();
        }
        return;
    }
    d->m_needPrompt = true;
    frame.pendingText.clear();
    frame.context->setLastStatus(130);
}

Interpreter::State Interpreter::state() const
{
    return d->state();
}

std::string Interpreter::prompt() const
{
    switch (d->state()) {
    case State::Ready:
        return d->top().context->prompt();
    case State::Continuation:
        return d->top().context->continuationPrompt();
    case State::Attached:
        return d->top().current->session->prompt();
    case State::Busy:
    case State::Exited:
        break;
    }
    return {};
}

ShellContext &Interpreter::currentContext()
{
    return *d->top().context;
}

const ShellContext &Interpreter::currentContext() const
{
    return *d->top().context;
}

ShellContext &Interpreter::hostContext()
{
    return *d->m_frames.front()->context;
}

std::size_t Interpreter::contextDepth() const
{
    return d->m_frames.size();
}

int Interpreter::lastStatus() const
{
    return d->top().context->lastStatus();
}

CompletionResult Interpreter::complete(std::string_view line, std::size_t cursor) const
{
    const ShellContext &shell = *d->top().context;
    const CompletionInput input{shell.commands(),  shell.fs(),   shell.cwd(),
                                shell.variables(), shell.home(), d->m_resourceNames};
    return completeLine(line, cursor, input);
}

void Interpreter::setResourceNameProvider(ResourceNameProvider provider)
{
    d->m_resourceNames = std::move(provider);
}

void Interpreter::post(std::function<void()> task)
{
    d->m_queue->post(std::move(task));
}

void Interpreter::processPosted()
{
    EntryGuard guard(*d);
    for (auto &task : d->m_queue->take()) {
        try {
            task();
        } catch (...) {
            // A failing task must not take the terminal down; its command reports its own error.
        }
    }
}

bool Interpreter::hasPosted() const
{
    return !d->m_queue->empty();
}

bool Interpreter::waitForPosted(std::chrono::milliseconds timeout)
{
    return d->m_queue->wait(timeout);
}

} // namespace meshcraft::core::shell

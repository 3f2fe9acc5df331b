// SPDX-License-Identifier: GPL-3.0-or-later
// The terminal's interpreter: parsing, expansion, pipes, redirections, process substitution,
// the text tools, the context stack (host bash and a pod's ash), sessions, and completion.
#include "core/shell/builtins.h"
#include "core/shell/command_line.h"
#include "core/shell/interpreter.h"
#include "core/shell/virtual_fs.h"

#include <QtTest>
#include <thread>

using namespace meshcraft::core::shell;

namespace {

constexpr const char *LabDir = "/home/learner/istio-workshop-labs";

const char *const IstioConfigMap = "apiVersion: v1\n"
                                   "data:\n"
                                   "  mesh: |-\n"
                                   "    outboundTrafficPolicy:\n"
                                   "      mode: ALLOW_ANY\n"
                                   "kind: ConfigMap\n"
                                   "metadata:\n"
                                   "  name: istio\n"
                                   "  namespace: istio-system\n";

/// Stands in for the real kubectl: enough to drive pipes, -f files and exec.
class FakeKubectl : public ShellCommand
{
public:
    std::function<std::unique_ptr<ShellContext>(const std::string &pod)> makePod;
    std::string lastApplied;
    std::string lastSource;

    std::string_view name() const override { return "kubectl"; }
    std::string_view summary() const override { return "fake kubectl"; }
    CommandStatus run(CommandContext &ctx) override
    {
        const auto &args = ctx.args();
        if (args.size() >= 3 && args[1] == "get" && args[2] == "configmap") {
            ctx.out().write(IstioConfigMap);
            return CommandStatus::exited(0);
        }
        if (args.size() >= 4 && (args[1] == "apply" || args[1] == "replace") && args[2] == "-f") {
            auto text = ctx.readFile(args[3]);
            if (!text) {
                ctx.err().write("error: the path \"" + args[3] + "\" does not exist\n");
                return CommandStatus::exited(1);
            }
            if (text->empty()) {
                ctx.err().write("error: no objects passed to " + args[1] + "\n");
                return CommandStatus::exited(1);
            }
            lastApplied = *text;
            lastSource = args[3];
            ctx.out().write(args[1] == "apply" ? "pod/busybox created\n"
                                               : "configmap/istio replaced\n");
            return CommandStatus::exited(0);
        }
        if (args.size() >= 5 && args[1] == "exec" && args[3] == "--" && makePod) {
            return ctx.enterContext(makePod(args[2]), {},
                                    std::vector<std::string>(args.begin() + 4, args.end()));
        }
        if (args.size() >= 5 && args[1] == "exec" && args[2] == "-it" && makePod) {
            return ctx.enterContext(makePod(args[3]));
        }
        ctx.err().write("error: unknown command \"" + (args.size() > 1 ? args[1] : "") + "\"\n");
        return CommandStatus::exited(1);
    }
    CompletionSpec completion() const override
    {
        FlagSpec ns{{"-n", "--namespace"}, true, {}, [](const CompletionRequest &request) {
                        return request.resourceNames("namespaces", "");
                    }};
        FlagSpec output{{"-o", "--output"}, true, {"yaml", "wide", "json"}, {}};
        FlagSpec file{{"-f", "--filename"}, true, {}, {}, true};
        CompletionSpec get;
        get.files = false;
        get.flags = {output};
        get.arguments = [](const CompletionRequest &request) {
            const auto positionals = request.positionals(2);
            if (positionals.empty()) {
                return std::vector<std::string>{"pods", "services", "serviceentries", "gateways"};
            }
            return request.resourceNames(positionals[0],
                                         request.flagValue({"-n", "--namespace"}).value_or(""));
        };
        CompletionSpec apply;
        apply.flags = {file};
        CompletionSpec root;
        root.files = false;
        root.flags = {ns};
        root.subcommands = {{"get", get}, {"apply", apply}, {"exec", {}}};
        return root;
    }
};

/// istioctl kube-inject -f FILE: prints the file with a marker, or istioctl's open error.
CommandStatus fakeIstioctl(CommandContext &ctx)
{
    const auto &args = ctx.args();
    if (args.size() == 4 && args[1] == "kube-inject" && args[2] == "-f") {
        auto text = ctx.readFile(args[3]);
        if (!text) {
            ctx.err().write("Error: open " + args[3] + ": no such file or directory\n");
            return CommandStatus::exited(1);
        }
        ctx.out().write("# injected\n" + *text);
        return CommandStatus::exited(0);
    }
    return CommandStatus::exited(1);
}

/// A telnet whose remote is a tiny Redis: PING gets +PONG, QUIT makes the remote close.
class FakeTelnetSession : public CommandSession
{
public:
    explicit FakeTelnetSession(CommandHandle handle) : m_handle(std::move(handle)) {}
    void input(std::string_view line) override
    {
        if (line == "PING") {
            m_handle.out("+PONG\r\n");
        } else if (line == "QUIT") {
            m_handle.out("+OK\r\nConnection closed by foreign host\r\n");
            m_handle.finish(1);
        } else {
            m_handle.out("-ERR unknown command '" + std::string(line) + "'\r\n");
        }
    }
    void endOfInput() override { m_handle.finish(0); }
    void interrupt() override { m_handle.finish(130); }

private:
    CommandHandle m_handle;
};

CommandStatus fakeTelnet(CommandContext &ctx)
{
    if (ctx.args().size() < 3) {
        ctx.err().write("BusyBox v1.36.1 multi-call binary.\n\nUsage: telnet [-a] [-l USER] HOST "
                        "[PORT]\n");
        return CommandStatus::exited(1);
    }
    ctx.out().write("Connected to " + ctx.args()[1] + "\n");
    return CommandStatus::running(std::make_shared<FakeTelnetSession>(ctx.handle()));
}

/// busybox's ash in a pod: its own filesystem, no env but what the pod has, applets only.
class BusyboxShell : public ShellContext
{
public:
    explicit BusyboxShell(VirtualFs &fs, std::string pod)
        : ShellContext(std::move(pod), ShellFlavor::Ash, fs, makeCommands())
    {
        variables().exportVariable("HOME", "/root");
        variables().exportVariable("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                           "/sbin:/bin");
        variables().exportVariable("HOSTNAME", "busybox");
        setCwd("/");
    }

private:
    static std::shared_ptr<CommandRegistry> makeCommands()
    {
        auto commands = std::make_shared<CommandRegistry>();
        registerBusyboxCommands(*commands);
        commands->add(std::make_shared<FunctionCommand>("telnet", "telnet", fakeTelnet));
        return commands;
    }
};

/// Prints each argument in brackets: shows word splitting and quoting exactly.
CommandStatus printArgs(CommandContext &ctx)
{
    std::string out;
    for (std::size_t i = 1; i < ctx.args().size(); ++i) {
        out += "[" + ctx.args()[i] + "]";
    }
    ctx.out().write(out + "\n");
    return CommandStatus::exited(0);
}

struct RunResult
{
    QString out;
    QString err;
    int status = 0;
};

/// A terminal for tests: the host shell, a pod image's filesystem, and everything heard.
class Terminal : public InterpreterObserver, public VirtualFsObserver
{
public:
    explicit Terminal(InterpreterOptions options = {})
    {
        auto host = makeHostShell(fs);
        host->commands().add(m_kubectl);
        host->commands().add(std::make_shared<FunctionCommand>("istioctl", "fake", fakeIstioctl));
        host->commands().add(std::make_shared<FunctionCommand>("args", "test", printArgs));
        m_kubectl->makePod = [this](const std::string &pod) {
            return std::make_unique<BusyboxShell>(podFs, pod);
        };
        (void)fs.makeDirectory(LabDir, true);
        (void)fs.writeFile(std::string(LabDir) + "/busybox.yaml",
                           "apiVersion: v1\nkind: Pod\nmetadata:\n  name: busybox\n");
        (void)fs.writeFile(std::string(LabDir) + "/redis-serviceentry.yaml",
                           "spec:\n  endpoints:\n  - address: REDIS_ENDPOINT\n");
        (void)fs.writeFile(std::string(LabDir) + "/redis-egress.yaml", "kind: Gateway\n");
        (void)podFs.makeDirectory("/root", true);
        (void)podFs.makeDirectory("/tmp", true);
        shell = std::make_unique<Interpreter>(std::move(host), std::move(options));
        shell->setObserver(this);
        fs.addObserver(this);
    }
    ~Terminal() override { fs.removeObserver(this); }

    RunResult run(std::string_view line)
    {
        out.clear();
        err.clear();
        shell->submitLine(line);
        return RunResult{QString::fromStdString(out), QString::fromStdString(err),
                         shell->lastStatus()};
    }
    QString file(const std::string &path) const
    {
        auto text = fs.readFile(path);
        return text ? QString::fromStdString(*text) : QStringLiteral("<missing>");
    }

    // Interface
    void onOutput(OutputStream stream, std::string_view text) override
    {
        (stream == OutputStream::Stdout ? out : err) += text;
        transcript += text;
    }
    void onAction(const ShellAction &action) override { actions.push_back(action); }
    void onLineFinished(std::string_view context, std::string_view line, int status) override
    {
        finished.push_back(std::string(context) + ":" + std::string(line) + "=" +
                           std::to_string(status));
    }
    void onCommandFinished(std::string_view context, const std::vector<std::string> &args,
                           int status) override
    {
        std::string text = std::string(context) + ":";
        for (const std::string &arg : args) {
            text += " " + arg;
        }
        commands.push_back(text + "=" + std::to_string(status));
    }
    void onAwaitingInput(InputState, std::string_view prompt) override
    {
        prompts.emplace_back(prompt);
    }
    void onFsChanged(const FsChange &change) override { changes.push_back(change); }

    VirtualFs fs;
    VirtualFs podFs;
    std::shared_ptr<FakeKubectl> m_kubectl = std::make_shared<FakeKubectl>();
    std::unique_ptr<Interpreter> shell;
    std::string out;
    std::string err;
    std::string transcript;
    std::vector<ShellAction> actions;
    std::vector<std::string> finished;
    std::vector<std::string> commands;
    std::vector<std::string> prompts;
    std::vector<FsChange> changes;
};

InterpreterOptions noContinuation()
{
    InterpreterOptions options;
    options.continuationLines = false;
    return options;
}

} // namespace

class tst_Shell : public QObject
{
    Q_OBJECT

private slots:
    void quotingAndExpansion_data();
    void quotingAndExpansion();
    void syntaxErrors_data();
    void syntaxErrors();
    void hostileInputStaysBounded();
    void continuationLines_data();
    void continuationLines();
    void sequencing_data();
    void sequencing();
    void pipes_data();
    void pipes();
    void redirections_data();
    void redirections();
    void processSubstitution_data();
    void processSubstitution();
    void pipeIntoKubectlReplace();
    void unknownCommands_data();
    void unknownCommands();
    void builtins_data();
    void builtins();
    void textTools_data();
    void textTools();
    void sedInPlaceEditsWorkshopFile();
    void sedInPlaceErrors_data();
    void sedInPlaceErrors();
    void actionsForTheApp_data();
    void actionsForTheApp();
    void historyRecordsLines();
    void commandEventsCarryExpandedArgs();
    void podContext_data();
    void podContext();
    void podContextExitResumesHostLine();
    void execCommandRunsOnceInPod();
    void telnetSessionTakesLines();
    void sessionPromptFollowsItsReply();
    void scriptedEndOfInputUnwindsEverything();
    void asyncCommandQueuesTypeAhead();
    void interruptReachesSession();
    void completion_data();
    void completion();
    void completionInPod();
    void pathResolution_data();
    void pathResolution();
    void fsOperations_data();
    void fsOperations();
    void fsObserverAndSnapshot();
    void snapshotTextRoundTrips();
    void neverRunsHostPrograms_data();
    void neverRunsHostPrograms();
};

// ---- Parsing and expansion ---------------------------------------------------------------------

void tst_Shell::quotingAndExpansion_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("expected");
    QTest::addRow("single-quotes-keep-spaces") << "args 'a  b' c"
                                               << "[a  b][c]";
    QTest::addRow("single-quotes-no-expansion") << "args '$HOME' '\\n'"
                                                << "[$HOME][\\n]";
    QTest::addRow("double-quotes-expand") << "args \"$HOME/x y\""
                                          << "[/home/learner/x y]";
    QTest::addRow("double-quote-escapes") << R"(args "a\"b\\c\$d\e")"
                                          << R"([a"b\c$d\e])";
    QTest::addRow("backslash-outside-quotes") << R"(args a\ b \$HOME \\)"
                                              << R"([a b][$HOME][\])";
    QTest::addRow("adjacent-quotes-join") << R"(args "a"'b'c)"
                                          << "[abc]";
    QTest::addRow("braced-variable") << "args ${USER}s"
                                     << "[learners]";
    QTest::addRow("workshop-home") << "args $WORKSHOP_HOME/istio-workshop-labs/busybox.yaml"
                                   << "[/home/learner/istio-workshop-labs/busybox.yaml]";
    QTest::addRow("unset-variable-vanishes") << "args $NOPE x"
                                             << "[x]";
    QTest::addRow("quoted-empty-is-a-word") << "args \"\" '' \"$NOPE\""
                                            << "[][][]";
    QTest::addRow("unquoted-expansion-splits") << "X='a  b'; args $X \"$X\""
                                               << "[a][b][a  b]";
    QTest::addRow("expansion-joins-literal") << "X=' b'; args a$X"
                                             << "[a][b]";
    QTest::addRow("exit-status") << "false; args $?; true; args $?"
                                 << "[1]\n[0]";
    QTest::addRow("shell-name") << "args $0"
                                << "[bash]";
    QTest::addRow("tilde-at-word-start") << "args ~ ~/labs a~b '~'"
                                         << "[/home/learner][/home/learner/labs][a~b][~]";
    QTest::addRow("tilde-in-assignment") << "D=~/x; args $D"
                                         << "[/home/learner/x]";
    QTest::addRow("comment-at-word-start") << "args a # b c"
                                           << "[a]";
    QTest::addRow("hash-inside-word") << "args a#b"
                                      << "[a#b]";
    QTest::addRow("default-value") << "args ${NOPE:-fall back} ${USER:-x}"
                                   << "[fall][back][learner]";
    QTest::addRow("default-value-expands") << "args \"${NOPE:-$USER}\""
                                           << "[learner]";
    QTest::addRow("alternative-value") << "args ${USER:+set} ${NOPE:+set}"
                                       << "[set]";
    QTest::addRow("length") << "args ${#USER}"
                            << "[7]";
    QTest::addRow("command-substitution") << "args $(echo hi there) \"$(echo 'a  b')\""
                                          << "[hi][there][a  b]";
    QTest::addRow("command-substitution-strips-newlines") << "args \"$(echo a; echo; echo)b\""
                                                          << "[ab]";
    QTest::addRow("backticks") << "args `echo x`"
                               << "[x]";
    QTest::addRow("ansi-c-quoting") << "args $'a\\tb'"
                                    << "[a\tb]";
    QTest::addRow("dollar-without-name-is-literal") << "args a$ \"$\""
                                                    << "[a$][$]";
    QTest::addRow("assignment-is-not-exported") << "X=1; args $X; printenv X"
                                                << "[1]";
    QTest::addRow("prefix-assignment-for-one-command") << "X=2 printenv X; args \"$X\""
                                                       << "2\n[]";
    QTest::addRow("export-then-expand") << "export REDIS_ADDR=10.59.118.59 && args $REDIS_ADDR:6379"
                                        << "[10.59.118.59:6379]";
    QTest::addRow("line-continuation-inside-line") << "args a\\\nb"
                                                   << "[ab]";
    QTest::addRow("glob-star") << "cd istio-workshop-labs; args *.yaml"
                               << "[busybox.yaml][redis-egress.yaml][redis-serviceentry.yaml]";
    QTest::addRow("glob-in-path") << "args istio-*/r*-e*"
                                  << "[istio-workshop-labs/redis-egress.yaml]";
    QTest::addRow("glob-absolute-bracket")
        << "args $WORKSHOP_HOME/istio-workshop-labs/redis-[e]?*"
        << "[/home/learner/istio-workshop-labs/redis-egress.yaml]";
    QTest::addRow("glob-no-match-kept") << "args nomatch*.yaml"
                                        << "[nomatch*.yaml]";
    QTest::addRow("glob-quoted-is-literal")
        << "cd istio-workshop-labs; args '*.yaml' \\*.yaml \"b*\""
        << "[*.yaml][*.yaml][b*]";
    QTest::addRow("glob-from-variable") << "cd istio-workshop-labs; X='b*'; args $X \"$X\""
                                        << "[busybox.yaml][b*]";
    QTest::addRow("glob-skips-dotfiles") << "touch .hidden visible; args *i*"
                                         << "[istio-workshop-labs][visible]";
}

void tst_Shell::quotingAndExpansion()
{
    QFETCH(QString, line);
    QFETCH(QString, expected);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, expected + "\n");
}

void tst_Shell::syntaxErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("message");
    QTest::addRow("leading-pipe") << "| grep x"
                                  << "bash: syntax error near unexpected token `|'";
    QTest::addRow("pipe-after-pipe") << "echo ran | | wc"
                                     << "bash: syntax error near unexpected token `|'";
    QTest::addRow("leading-and") << "&& echo ran"
                                 << "bash: syntax error near unexpected token `&&'";
    QTest::addRow("leading-semicolon") << "; echo ran"
                                       << "bash: syntax error near unexpected token `;'";
    QTest::addRow("double-semicolon") << "echo ran ;; echo b"
                                      << "bash: syntax error near unexpected token `;;'";
    QTest::addRow("redirect-without-target")
        << "echo ran >"
        << "bash: syntax error near unexpected token `newline'";
    QTest::addRow("redirect-into-pipe") << "echo ran > | cat"
                                        << "bash: syntax error near unexpected token `|'";
    QTest::addRow("stray-close-paren") << "echo ran )"
                                       << "bash: syntax error near unexpected token `)'";
    QTest::addRow("unterminated-double-quote")
        << "echo ran; echo \"abc"
        << "bash: unexpected EOF while looking for matching `\"'";
    QTest::addRow("unterminated-single-quote")
        << "echo 'abc"
        << "bash: unexpected EOF while looking for matching `''";
    QTest::addRow("unterminated-command-substitution")
        << "echo $(echo ran"
        << "bash: unexpected EOF while looking for matching `)'";
    QTest::addRow("unterminated-process-substitution")
        << "cat <(echo ran"
        << "bash: unexpected EOF while looking for matching `)'";
    QTest::addRow("unterminated-brace") << "echo ${HOME"
                                        << "bash: unexpected EOF while looking for matching `}'";
    QTest::addRow("trailing-and") << "echo ran &&"
                                  << "bash: syntax error: unexpected end of file";
    QTest::addRow("trailing-pipe") << "echo ran |"
                                   << "bash: syntax error: unexpected end of file";
    QTest::addRow("background-refused")
        << "echo ran &"
        << "bash: &: background jobs are not available in this terminal";
    QTest::addRow("subshell-refused") << "(echo ran)"
                                      << "bash: (: subshells are not available in this terminal";
    QTest::addRow("compound-refused")
        << "for i in 1 2; do echo ran; done"
        << "bash: for: compound commands are not available in this terminal (one command per step, "
           "joined with ;, && or |)";
}

void tst_Shell::hostileInputStaysBounded()
{
    Terminal terminal(noContinuation());
    std::string many;
    for (int i = 0; i < 20000; ++i) {
        many += "true; ";
    }
    QCOMPARE(terminal.run(many + "echo done").out, QStringLiteral("done\n"));
    std::string pipe = "echo x";
    for (int i = 0; i < 5000; ++i) {
        pipe += " | cat";
    }
    QCOMPARE(terminal.run(pipe).out, QStringLiteral("x\n"));
    std::string deep = "echo ";
    for (int i = 0; i < 40; ++i) {
        deep += "$(echo ";
    }
    deep += "x" + std::string(40, ')');
    const RunResult result = terminal.run(deep);
    QCOMPARE(result.err,
             QStringLiteral("bash: substitutions nested too deeply for this terminal\n"));
    QCOMPARE(result.status, 2);
    // Within the limit, nesting works.
    QCOMPARE(terminal.run("echo $(echo $(echo $(echo deep)))").out, QStringLiteral("deep\n"));
}

void tst_Shell::syntaxErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, message);
    Terminal terminal(noContinuation());
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.err, message + "\n");
    QCOMPARE(result.status, 2);
    QCOMPARE(result.out, QString()); // nothing on a line with a syntax error runs
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
}

void tst_Shell::continuationLines_data()
{
    QTest::addColumn<QStringList>("lines");
    QTest::addColumn<QString>("out");
    QTest::addRow("open-double-quote") << QStringList{"echo \"a", "b\""} << "a\nb\n";
    QTest::addRow("trailing-backslash") << QStringList{"echo a \\", "b"} << "a b\n";
    QTest::addRow("workshop-gcloud-continuation")
        << QStringList{"args redis-cart --size=1 --region=europe-west1 \\",
                       "    --zone=europe-west1-b --redis-version=redis_4_0"}
        << "[redis-cart][--size=1][--region=europe-west1][--zone=europe-west1-b]"
           "[--redis-version=redis_4_0]\n";
    QTest::addRow("trailing-pipe") << QStringList{"echo x |", "grep x"} << "x\n";
    QTest::addRow("trailing-and") << QStringList{"true &&", "echo yes"} << "yes\n";
    QTest::addRow("here-document") << QStringList{"cat <<EOF", "hello $USER", "  '$HOME'", "EOF"}
                                   << "hello learner\n  '/home/learner'\n";
    QTest::addRow("quoted-here-document")
        << QStringList{"cat <<'EOF' | wc -l", "$USER", "two", "EOF"} << "2\n";
}

void tst_Shell::continuationLines()
{
    QFETCH(QStringList, lines);
    QFETCH(QString, out);
    Terminal terminal;
    for (int i = 0; i < lines.size(); ++i) {
        terminal.shell->submitLine(lines[i].toStdString());
        if (i + 1 < lines.size()) {
            QCOMPARE(terminal.shell->state(), Interpreter::State::Continuation);
            QCOMPARE(terminal.shell->prompt(), std::string("> "));
            QCOMPARE(terminal.prompts.back(), std::string("> "));
        }
    }
    QCOMPARE(QString::fromStdString(terminal.out), out);
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
    // Ctrl+D on an open quote gives bash's EOF message, status 2, and a fresh prompt.
    terminal.run("echo \"never");
    terminal.shell->sendEndOfFile();
    QCOMPARE(QString::fromStdString(terminal.err),
             "bash: unexpected EOF while looking for matching `\"'\n");
    QCOMPARE(terminal.shell->lastStatus(), 2);
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
}

void tst_Shell::sequencing_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<int>("status");
    QTest::addRow("and-after-success") << "true && echo yes"
                                       << "yes\n"
                                       << 0;
    QTest::addRow("and-after-failure") << "false && echo yes"
                                       << "" << 1;
    QTest::addRow("or-after-failure") << "false || echo no"
                                      << "no\n"
                                      << 0;
    QTest::addRow("or-after-success") << "true || echo no"
                                      << "" << 0;
    QTest::addRow("and-then-or") << "false && echo a || echo b"
                                 << "b\n"
                                 << 0;
    QTest::addRow("or-then-and") << "true || echo a && echo b"
                                 << "b\n"
                                 << 0;
    QTest::addRow("semicolon-runs-all") << "echo a; false; echo $?"
                                        << "a\n1\n"
                                        << 0;
    QTest::addRow("status-of-last") << "echo a; false"
                                    << "a\n"
                                    << 1;
    QTest::addRow("negation") << "! true; echo $?"
                              << "1\n"
                              << 0;
    QTest::addRow("not-found-then-or") << "nope || echo fallback"
                                       << "fallback\n"
                                       << 0;
}

void tst_Shell::sequencing()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.status, status);
}

void tst_Shell::pipes_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("workshop-grep-o-mode")
        << "kubectl get configmap istio -n istio-system -o yaml | grep -o \"mode: ALLOW_ANY\""
        << "mode: ALLOW_ANY\n"
        << "" << 0;
    QTest::addRow("grep-no-match-is-1")
        << "kubectl get configmap istio -n istio-system -o yaml | grep -o \"mode: REGISTRY_ONLY\""
        << ""
        << "" << 1;
    QTest::addRow("three-stages") << "kubectl get configmap istio | grep -v mode | wc -l"
                                  << "8\n"
                                  << "" << 0;
    QTest::addRow("status-is-last-stage") << "false | true"
                                          << ""
                                          << "" << 0;
    QTest::addRow("stderr-bypasses-pipe") << "cat nope | wc -l"
                                          << "0\n"
                                          << "cat: nope: No such file or directory\n"
                                          << 0;
    QTest::addRow("stderr-joined-into-pipe") << "cat nope 2>&1 | wc -l"
                                             << "1\n"
                                             << "" << 0;
    QTest::addRow("here-string-less-pipe") << "echo a b c | sed 's/ /-/g'"
                                           << "a-b-c\n"
                                           << "" << 0;
    QTest::addRow("pipe-stage-is-subshell")
        << "cd /tmp | true; export X=1 | true; pwd; echo \"[$X]\""
        << "/home/learner\n[]\n"
        << "" << 0;
    QTest::addRow("exit-in-pipe-is-subshell") << "exit 3 | true; echo still"
                                              << "still\n"
                                              << "" << 0;
}

void tst_Shell::pipes()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
    QVERIFY(terminal.actions.empty());
}

void tst_Shell::pipeIntoKubectlReplace()
{
    Terminal terminal;
    const RunResult result =
        terminal.run("kubectl get configmap istio -n istio-system -o yaml | "
                     "sed 's/mode: ALLOW_ANY/mode: REGISTRY_ONLY/g' | kubectl replace -f -");
    QCOMPARE(result.out, QStringLiteral("configmap/istio replaced\n"));
    QCOMPARE(result.status, 0);
    QVERIFY(terminal.m_kubectl->lastApplied.find("mode: REGISTRY_ONLY") != std::string::npos);
    QVERIFY(terminal.m_kubectl->lastApplied.find("ALLOW_ANY") == std::string::npos);
}

void tst_Shell::redirections_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("content");
    QTest::addRow("truncate") << "echo hi > a.txt; echo there > a.txt"
                              << ""
                              << "" << 0 << "/home/learner/a.txt"
                              << "there\n";
    QTest::addRow("append") << "echo a > f; echo b >> f; cat f"
                            << "a\nb\n"
                            << "" << 0 << "/home/learner/f"
                            << "a\nb\n";
    QTest::addRow("absolute-path") << "echo x >/tmp/x"
                                   << ""
                                   << "" << 0 << "/tmp/x"
                                   << "x\n";
    QTest::addRow("tilde-target") << "echo x > ~/t"
                                  << ""
                                  << "" << 0 << "/home/learner/t"
                                  << "x\n";
    QTest::addRow("dev-null") << "echo x > /dev/null"
                              << ""
                              << "" << 0 << "/dev/null"
                              << "<missing>";
    QTest::addRow("input") << "echo abc > f; wc -c < f"
                           << "4\n"
                           << "" << 0 << "/home/learner/f"
                           << "abc\n";
    QTest::addRow("stderr-to-file") << "cat nope 2> e.txt"
                                    << ""
                                    << "" << 1 << "/home/learner/e.txt"
                                    << "cat: nope: No such file or directory\n";
    QTest::addRow("stdout-to-stderr") << "echo oops >&2"
                                      << ""
                                      << "oops\n"
                                      << 0 << ""
                                      << "";
    QTest::addRow("missing-folder") << "echo x > nodir/x"
                                    << ""
                                    << "bash: nodir/x: No such file or directory\n"
                                    << 1 << "/home/learner/nodir/x"
                                    << "<missing>";
    QTest::addRow("into-folder") << "echo x > /tmp"
                                 << ""
                                 << "bash: /tmp: Is a directory\n"
                                 << 1 << ""
                                 << "";
    QTest::addRow("missing-input") << "cat < nope; echo $?"
                                   << "1\n"
                                   << "bash: nope: No such file or directory\n"
                                   << 0 << ""
                                   << "";
    QTest::addRow("ambiguous") << "X='a b'; echo x > $X"
                               << ""
                               << "bash: $X: ambiguous redirect\n"
                               << 1 << ""
                               << "";
    QTest::addRow("not-found-message-redirected") << "nope 2>/dev/null; echo $?"
                                                  << "127\n"
                                                  << "" << 0 << ""
                                                  << "";
}

void tst_Shell::redirections()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    QFETCH(QString, path);
    QFETCH(QString, content);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
    if (!path.isEmpty()) {
        QCOMPARE(terminal.file(path.toStdString()), content);
    }
}

void tst_Shell::processSubstitution_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("workshop-kube-inject") << "kubectl apply -f <(istioctl kube-inject -f "
                                             "$WORKSHOP_HOME/istio-workshop-labs/busybox.yaml)"
                                          << "pod/busybox created\n"
                                          << "" << 0;
    QTest::addRow("path-is-dev-fd-63") << "args <(echo a)"
                                       << "[/dev/fd/63]\n"
                                       << "" << 0;
    QTest::addRow("second-is-62") << "args <(echo a) <(echo b)"
                                  << "[/dev/fd/63][/dev/fd/62]\n"
                                  << "" << 0;
    QTest::addRow("readable-by-cat") << "cat <(echo a) <(echo b)"
                                     << "a\nb\n"
                                     << "" << 0;
    QTest::addRow("inner-pipeline") << "cat <(echo abc | sed s/b/X/)"
                                    << "aXc\n"
                                    << "" << 0;
    QTest::addRow("inner-failure-reaches-outer")
        << "kubectl apply -f <(istioctl kube-inject -f nope.yaml)"
        << ""
        << "Error: open nope.yaml: no such file or directory\nerror: no objects passed to apply\n"
        << 1;
    QTest::addRow("substitution-is-subshell") << "args $(cd /tmp; X=1; pwd) \"[$X]\"; pwd"
                                              << "[/tmp][[]]\n/home/learner\n"
                                              << "" << 0;
    QTest::addRow("process-substitution-keeps-status") << "false; args <(true) $?"
                                                       << "[/dev/fd/63][1]\n"
                                                       << "" << 0;
    QTest::addRow("input-redirect-from-substitution") << "wc -l < <(echo a; echo b)"
                                                      << "2\n"
                                                      << "" << 0;
}

void tst_Shell::processSubstitution()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
    if (line.startsWith("kubectl apply") && status == 0) {
        QCOMPARE(terminal.m_kubectl->lastSource, std::string("/dev/fd/63"));
        QVERIFY(terminal.m_kubectl->lastApplied.starts_with("# injected\napiVersion: v1\n"));
    }
    // The substitution's file lives only while its command runs, never in the VFS.
    QVERIFY(!terminal.fs.exists("/dev/fd/63"));
    QVERIFY(!terminal.fs.exists("/dev"));
}

void tst_Shell::unknownCommands_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("command-not-found")
        << "foo --bar"
        << ""
        << "bash: foo: command not found\nType 'help' to see the commands this terminal has.\n"
        << 127;
    QTest::addRow("redis-cli-on-host")
        << "redis-cli -h 10.59.118.59 ping"
        << ""
        << "bash: redis-cli: command not found\nType 'help' to see the commands this terminal "
           "has.\n"
        << 127;
    QTest::addRow("host-file-is-never-run") << "./busybox.yaml"
                                            << ""
                                            << "bash: ./busybox.yaml: No such file or directory\n"
                                            << 127;
    QTest::addRow("vfs-file-is-not-executable") << "cd ~/istio-workshop-labs && ./busybox.yaml"
                                                << ""
                                                << "bash: ./busybox.yaml: Permission denied\n"
                                                << 126;
    QTest::addRow("folder-is-not-executable") << "/tmp"
                                              << ""
                                              << "bash: /tmp: Is a directory\n"
                                              << 126;
    QTest::addRow("program-by-path") << "/usr/bin/printenv USER"
                                     << "learner\n"
                                     << "" << 0;
    QTest::addRow("sleep-refused")
        << "sleep 5"
        << ""
        << "sleep: not available in this terminal: the simulation never needs a pause, and "
           "commands return when their work is done\n"
        << 1;
}

void tst_Shell::unknownCommands()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
}

void tst_Shell::builtins_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("echo-n") << "echo -n a b; echo c"
                            << "a bc\n"
                            << "" << 0;
    QTest::addRow("echo-e") << "echo -e 'a\\tb\\nc'"
                            << "a\tb\nc\n"
                            << "" << 0;
    QTest::addRow("echo-e-hex") << "echo -e '\\x41\\x4a|\\xZ'"
                                << "AJ|\\xZ\n"
                                << "" << 0;
    QTest::addRow("echo-without-e-keeps-backslash") << "echo 'a\\tb'"
                                                    << "a\\tb\n"
                                                    << "" << 0;
    QTest::addRow("echo-dash-x-is-text") << "echo -x"
                                         << "-x\n"
                                         << "" << 0;
    QTest::addRow("export-shows-in-env") << "export REDIS_ADDR=10.59.118.59; env | grep REDIS"
                                         << "REDIS_ADDR=10.59.118.59\n"
                                         << "" << 0;
    QTest::addRow("export-existing") << "X=1; export X; printenv X"
                                     << "1\n"
                                     << "" << 0;
    QTest::addRow("export-invalid") << "export 1A=2"
                                    << ""
                                    << "bash: export: `1A=2': not a valid identifier\n"
                                    << 1;
    QTest::addRow("export-listing") << "export A='x\"y'; export -p | grep ' A='"
                                    << "declare -x A=\"x\\\"y\"\n"
                                    << "" << 0;
    QTest::addRow("unset") << "export A=1; unset A; printenv A; echo $?"
                           << "1\n"
                           << "" << 0;
    QTest::addRow("printenv-missing") << "printenv NOPE"
                                      << ""
                                      << "" << 1;
    QTest::addRow("pwd-home") << "pwd"
                              << "/home/learner\n"
                              << "" << 0;
    QTest::addRow("cd-relative") << "cd istio-workshop-labs && pwd && echo $PWD"
                                 << "/home/learner/istio-workshop-labs\n"
                                    "/home/learner/istio-workshop-labs\n"
                                 << "" << 0;
    QTest::addRow("cd-dotdot") << "cd /tmp/../home/./learner/ && pwd"
                               << "/home/learner\n"
                               << "" << 0;
    QTest::addRow("cd-dash") << "cd /tmp; cd -; pwd"
                             << "/home/learner\n/home/learner\n"
                             << "" << 0;
    QTest::addRow("cd-home") << "cd /tmp; cd; pwd"
                             << "/home/learner\n"
                             << "" << 0;
    QTest::addRow("cd-missing") << "cd nope"
                                << ""
                                << "bash: cd: nope: No such file or directory\n"
                                << 1;
    QTest::addRow("cd-file") << "cd istio-workshop-labs/busybox.yaml"
                             << ""
                             << "bash: cd: istio-workshop-labs/busybox.yaml: Not a directory\n"
                             << 1;
    QTest::addRow("which-program") << "which kubectl"
                                   << "/usr/bin/kubectl\n"
                                   << "" << 0;
    QTest::addRow("which-builtin-and-missing") << "which cd nope"
                                               << ""
                                               << "" << 1;
    QTest::addRow("help-lists-tools") << "help | grep -c -E '^  (kubectl|istioctl|sed) '"
                                      << "3\n"
                                      << "" << 0;
    QTest::addRow("printf-formats") << "printf '%s=%d|%-4s|%04d|%x%%\\n' a 42 b 7 255"
                                    << "a=42|b   |0007|ff%\n"
                                    << "" << 0;
    QTest::addRow("printf-reuses-format") << "printf '<%s>' a b c; echo"
                                          << "<a><b><c>\n"
                                          << "" << 0;
    QTest::addRow("printf-bad-number") << "printf '%d\\n' x"
                                       << "0\n"
                                       << "bash: printf: x: invalid number\n"
                                       << 1;
    QTest::addRow("tee-writes-and-passes") << "echo hi | tee t.txt | wc -l; cat t.txt"
                                           << "1\nhi\n"
                                           << "" << 0;
    QTest::addRow("whoami") << "whoami; hostname"
                            << "learner\nmeshcraft\n"
                            << "" << 0;
    QTest::addRow("bad-substitution") << "echo ${a b}; echo next"
                                      << "next\n"
                                      << "bash: ${a b}: bad substitution\n"
                                      << 0;
    QTest::addRow("alias-expands-first-word")
        << "alias k=kubectl kg='kubectl get'; kg configmap istio | k replace -f -; alias"
        << "configmap/istio replaced\nalias k='kubectl'\nalias kg='kubectl get'\n"
        << "" << 0;
    QTest::addRow("alias-not-in-quotes-or-arguments") << "alias e='echo x'; 'e' 1; echo e"
                                                      << "e\n"
                                                      << "bash: e: command not found\nType "
                                                         "'help' to see the commands this "
                                                         "terminal has.\n"
                                                      << 0;
    QTest::addRow("alias-self-reference") << "alias ls='ls -a'; ls /tmp"
                                          << ".  ..\n"
                                          << "" << 0;
    QTest::addRow("alias-pipeline-refused")
        << "alias x='ls | wc'"
        << ""
        << "bash: alias: x: in this terminal an alias stands for one command and its arguments\n"
        << 1;
    QTest::addRow("unalias") << "alias k=kubectl; unalias k; type k"
                             << ""
                             << "bash: type: k: not found\n"
                             << 1;
    QTest::addRow("type") << "alias k=kubectl; type k cd kubectl"
                          << "k is aliased to `kubectl'\ncd is a shell builtin\nkubectl is "
                             "/usr/bin/kubectl\n"
                          << "" << 0;
    QTest::addRow("exit-bad-number") << "exit abc"
                                     << ""
                                     << "bash: exit: abc: numeric argument required\n"
                                     << 2;
}

void tst_Shell::builtins()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
}

void tst_Shell::textTools_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    const QString lab = "cd ~/istio-workshop-labs; ";
    QTest::addRow("ls") << lab + "ls"
                        << "busybox.yaml  redis-egress.yaml  redis-serviceentry.yaml\n"
                        << "" << 0;
    QTest::addRow("ls-piped-one-per-line") << lab + "ls | head -n 2"
                                           << "busybox.yaml\nredis-egress.yaml\n"
                                           << "" << 0;
    QTest::addRow("ls-a-shows-dot-entries") << "touch .hidden; ls -a ~ | head -3"
                                            << ".\n..\n.hidden\n"
                                            << "" << 0;
    QTest::addRow("ls-l") << lab + "ls -l busybox.yaml"
                          << "-rw-r--r-- 1 learner learner 51 Sep 23 10:00 busybox.yaml\n"
                          << "" << 0;
    QTest::addRow("ls-missing") << "ls nope"
                                << ""
                                << "ls: cannot access 'nope': No such file or directory\n"
                                << 2;
    QTest::addRow("cat-missing-and-present") << lab + "cat nope redis-egress.yaml"
                                             << "kind: Gateway\n"
                                             << "cat: nope: No such file or directory\n"
                                             << 1;
    QTest::addRow("cat-n") << "echo a > f; echo b >> f; cat -n f"
                           << "     1\ta\n     2\tb\n"
                           << "" << 0;
    QTest::addRow("grep-o") << "echo 'mode: ALLOW_ANY mode: X' | grep -o 'mode: [A-Z_]*'"
                            << "mode: ALLOW_ANY\nmode: X\n"
                            << "" << 0;
    QTest::addRow("grep-i") << "echo Mode | grep -i mode"
                            << "Mode\n"
                            << "" << 0;
    QTest::addRow("grep-v") << "kubectl get configmap | grep -v ': '"
                            << "data:\n    outboundTrafficPolicy:\nmetadata:\n"
                            << "" << 0;
    QTest::addRow("grep-E-alternation") << "kubectl get configmap | grep -E 'kind|name:'"
                                        << "kind: ConfigMap\n  name: istio\n"
                                        << "" << 0;
    QTest::addRow("grep-basic-alternation") << "kubectl get configmap | grep 'kind\\|name:'"
                                            << "kind: ConfigMap\n  name: istio\n"
                                            << "" << 0;
    QTest::addRow("grep-c") << "kubectl get configmap | grep -c istio"
                            << "2\n"
                            << "" << 0;
    QTest::addRow("grep-n") << "kubectl get configmap | grep -n ALLOW"
                            << "5:      mode: ALLOW_ANY\n"
                            << "" << 0;
    QTest::addRow("grep-files-prefix") << lab + "grep -n kind busybox.yaml redis-egress.yaml"
                                       << "busybox.yaml:2:kind: Pod\nredis-egress.yaml:1:kind: "
                                          "Gateway\n"
                                       << "" << 0;
    QTest::addRow("grep-bad-regex") << "echo a | grep '['"
                                    << ""
                                    << "grep: Unmatched [, [^, [:, [., or [=\n"
                                    << 2;
    QTest::addRow("grep-invalid-option") << "grep -Z x"
                                         << ""
                                         << "grep: invalid option -- 'Z'\nTry 'grep --help' for "
                                            "more information.\n"
                                         << 2;
    QTest::addRow("sed-stdout") << "echo aaa | sed s/a/b/"
                                << "baa\n"
                                << "" << 0;
    QTest::addRow("sed-global") << "echo aaa | sed 's/a/b/g'"
                                << "bbb\n"
                                << "" << 0;
    QTest::addRow("sed-pipe-separator") << "echo a/b | sed 's|/|:|'"
                                        << "a:b\n"
                                        << "" << 0;
    QTest::addRow("sed-groups-and-ampersand") << "echo ab | sed -E 's/(a)(b)/\\2\\1&/'"
                                              << "baab\n"
                                              << "" << 0;
    QTest::addRow("sed-basic-groups") << "echo ab | sed 's/\\(a\\)/[\\1]/'"
                                      << "[a]b\n"
                                      << "" << 0;
    QTest::addRow("sed-empty-match-after-match")
        << "echo aaa | sed 's/a*/X/g'; echo abc | sed 's/x*/-/g'"
        << "X\n-a-b-c-\n"
        << "" << 0;
    QTest::addRow("sed-two-expressions") << "echo ab | sed -e s/a/1/ -e s/b/2/"
                                         << "12\n"
                                         << "" << 0;
    QTest::addRow("sed-nth-occurrence") << "echo aaa | sed 's/a/b/2'"
                                        << "aba\n"
                                        << "" << 0;
    QTest::addRow("sed-quiet-print") << "printenv USER HOME | sed -n 's/learner/L/p'"
                                     << "L\n/home/L\n"
                                     << "" << 0;
    QTest::addRow("sed-unterminated") << "echo a | sed 's/a/b'"
                                      << ""
                                      << "sed: -e expression #1, char 5: unterminated `s' command\n"
                                      << 1;
    QTest::addRow("sed-unknown-option") << "echo a | sed 's/a/b/x'"
                                        << ""
                                        << "sed: -e expression #1, char 7: unknown option to `s'\n"
                                        << 1;
    QTest::addRow("sed-unknown-command") << "echo a | sed k"
                                         << ""
                                         << "sed: -e expression #1, char 1: unknown command: `k'\n"
                                         << 1;
    QTest::addRow("grep-refuses-huge-line")
        << "printf 'ok\\n%09000d\\n' 0 | grep -n ."
        << "1:ok\n"
        << "grep: line 2 is longer than 8192 characters, too long for this terminal's pattern "
           "matching\n"
        << 2;
    QTest::addRow("sed-refuses-huge-line")
        << "printf '%09000d\\n' 0 > big; sed -i s/0/1/ big; grep -c . big"
        << ""
        << "sed: big: line 1 is longer than 8192 characters, too long for this terminal's "
           "pattern matching\ngrep: line 1 is longer than 8192 characters, too long for this "
           "terminal's pattern matching\n"
        << 2;
    QTest::addRow("head-default-and-n") << "kubectl get configmap | head -n 2"
                                        << "apiVersion: v1\ndata:\n"
                                        << "" << 0;
    QTest::addRow("head-dash-number") << "kubectl get configmap | head -1"
                                      << "apiVersion: v1\n"
                                      << "" << 0;
    QTest::addRow("tail-n") << "kubectl get configmap | tail -n 2"
                            << "  name: istio\n  namespace: istio-system\n"
                            << "" << 0;
    QTest::addRow("tail-from-line") << "kubectl get configmap | tail -n +8"
                                    << "  name: istio\n  namespace: istio-system\n"
                                    << "" << 0;
    QTest::addRow("tail-f-refused") << "tail -f x"
                                    << ""
                                    << "tail: -f is not available in this terminal: files here "
                                       "change only when you change them\n"
                                    << 1;
    QTest::addRow("wc-l-stdin") << "kubectl get configmap | wc -l"
                                << "9\n"
                                << "" << 0;
    QTest::addRow("wc-l-file") << lab + "wc -l busybox.yaml"
                               << "4 busybox.yaml\n"
                               << "" << 0;
    QTest::addRow("wc-all-stdin") << "echo a b | wc"
                                  << "      1       2       4\n"
                                  << "" << 0;
    QTest::addRow("mkdir-touch-ls") << "mkdir -p a/b && touch a/b/c && ls a/b"
                                    << "c\n"
                                    << "" << 0;
    QTest::addRow("mkdir-exists") << "mkdir /tmp"
                                  << ""
                                  << "mkdir: cannot create directory '/tmp': File exists\n"
                                  << 1;
    QTest::addRow("cp-and-mv") << "echo x > a; cp a b; mv b c; cat a c; ls b"
                               << "x\nx\n"
                               << "ls: cannot access 'b': No such file or directory\n"
                               << 2;
    QTest::addRow("rm-folder-needs-r") << "mkdir d; rm d; rm -r d; ls d"
                                       << ""
                                       << "rm: cannot remove 'd': Is a directory\nls: cannot "
                                          "access 'd': No such file or directory\n"
                                       << 2;
}

void tst_Shell::textTools()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
}

void tst_Shell::sedInPlaceEditsWorkshopFile()
{
    Terminal terminal;
    const std::string path = std::string(LabDir) + "/redis-serviceentry.yaml";
    terminal.changes.clear();
    const RunResult result =
        terminal.run("export REDIS_ADDR=10.59.118.59; cd $WORKSHOP_HOME/istio-workshop-labs && "
                     "sed -i \"s/REDIS_ENDPOINT/$REDIS_ADDR/g\" redis-serviceentry.yaml");
    QCOMPARE(result.err, QString());
    QCOMPARE(result.out, QString());
    QCOMPARE(result.status, 0);
    QCOMPARE(terminal.file(path),
             QStringLiteral("spec:\n  endpoints:\n  - address: 10.59.118.59\n"));
    // The editor and the save file hear about it.
    QCOMPARE(int(terminal.changes.size()), 1);
    QCOMPARE(terminal.changes[0].path, path);
    QVERIFY(terminal.changes[0].kind == FsChange::Kind::Modified);
    // With a backup suffix, the original is kept.
    terminal.run("sed -i.orig 's/10.59.118.59/REDIS_ENDPOINT/' redis-serviceentry.yaml");
    QCOMPARE(terminal.file(path + ".orig"),
             QStringLiteral("spec:\n  endpoints:\n  - address: 10.59.118.59\n"));
    QVERIFY(terminal.file(path).contains("REDIS_ENDPOINT"));
}

void tst_Shell::sedInPlaceErrors_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("missing-file") << "sed -i 's|a|b|' missing.yaml"
                                  << "sed: can't read missing.yaml: No such file or directory\n"
                                  << 2;
    QTest::addRow("no-file") << "sed -i 's/a/b/'"
                             << "sed: no input files\n"
                             << 1;
    QTest::addRow("folder") << "sed -i 's/a/b/' /tmp"
                            << "sed: couldn't edit /tmp: not a regular file\n"
                            << 2;
}

void tst_Shell::sedInPlaceErrors()
{
    QFETCH(QString, line);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    const auto before = terminal.fs.snapshot();
    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
    QVERIFY(terminal.fs.snapshot() == before);
}

void tst_Shell::actionsForTheApp_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("exitStatus");
    QTest::addRow("clear") << "clear" << int(ShellAction::Kind::ClearScreen) << "" << 0;
    QTest::addRow("edit-relative")
        << "cd istio-workshop-labs && edit redis-serviceentry.yaml"
        << int(ShellAction::Kind::OpenEditor)
        << "/home/learner/istio-workshop-labs/redis-serviceentry.yaml" << 0;
    QTest::addRow("edit-new-file") << "edit ~/notes.txt" << int(ShellAction::Kind::OpenEditor)
                                   << "/home/learner/notes.txt" << 0;
    QTest::addRow("exit-with-status") << "exit 3" << int(ShellAction::Kind::Exit) << "" << 3;
    QTest::addRow("exit-keeps-last-status")
        << "false; exit" << int(ShellAction::Kind::Exit) << "" << 1;
}

void tst_Shell::actionsForTheApp()
{
    QFETCH(QString, line);
    QFETCH(int, kind);
    QFETCH(QString, path);
    QFETCH(int, exitStatus);
    Terminal terminal;
    terminal.run(line.toStdString());
    QCOMPARE(int(terminal.actions.size()), 1);
    QCOMPARE(int(terminal.actions[0].kind), kind);
    QCOMPARE(QString::fromStdString(terminal.actions[0].path), path);
    QCOMPARE(terminal.actions[0].exitStatus, exitStatus);
    const bool exited = kind == int(ShellAction::Kind::Exit);
    QCOMPARE(terminal.shell->state() == Interpreter::State::Exited, exited);
    // Nothing runs after exit.
    terminal.run("echo after");
    QCOMPARE(terminal.out.empty(), exited);
}

void tst_Shell::historyRecordsLines()
{
    Terminal terminal;
    terminal.run("echo one");
    terminal.run("   ");
    terminal.run("nope");
    terminal.run("echo \"a");
    terminal.run("b\"");
    const RunResult result = terminal.run("history");
    QCOMPARE(result.out, QStringLiteral("    1  echo one\n    2  nope\n    3  echo \"a\nb\"\n"
                                        "    4  history\n"));
    QCOMPARE(terminal.run("history 1").out, QStringLiteral("    5  history 1\n"));
    QCOMPARE(terminal.finished.at(1), std::string("host:nope=127"));
}

void tst_Shell::commandEventsCarryExpandedArgs()
{
    Terminal terminal;
    terminal.run("cd istio-workshop-labs && istioctl analyze $PWD || nope <(echo a) | wc -l");
    QCOMPARE(
        terminal.commands,
        (std::vector<std::string>{"host: cd istio-workshop-labs=0",
                                  "host: istioctl analyze /home/learner/istio-workshop-labs=1",
                                  "host: echo a=0", "host: nope /dev/fd/63=127", "host: wc -l=0"}));
}

// ---- Contexts --------------------------------------------------------------------------------

void tst_Shell::podContext_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("status");
    QTest::addRow("redis-cli-not-in-busybox") << "redis-cli -h 10.59.118.59 ping"
                                              << ""
                                              << "/bin/sh: redis-cli: not found\n"
                                              << 127;
    QTest::addRow("host-tools-not-in-pod") << "kubectl get pods"
                                           << ""
                                           << "/bin/sh: kubectl: not found\n"
                                           << 127;
    QTest::addRow("no-edit-in-pod") << "edit x"
                                    << ""
                                    << "/bin/sh: edit: not found\n"
                                    << 127;
    QTest::addRow("pod-env-only") << "echo \"[$REDIS_ADDR][$WORKSHOP_HOME]\" $HOME"
                                  << "[][] /root\n"
                                  << "" << 0;
    QTest::addRow("pod-filesystem") << "pwd; ls /; ls /home"
                                    << "/\nroot  tmp\n"
                                    << "ls: /home: No such file or directory\n"
                                    << 1;
    QTest::addRow("ash-syntax-error") << "echo a | | b"
                                      << ""
                                      << "/bin/sh: syntax error: unexpected \"|\"\n"
                                      << 2;
    QTest::addRow("ash-cd-error") << "cd /nope"
                                  << ""
                                  << "/bin/sh: cd: can't cd to /nope: No such file or directory\n"
                                  << 2;
    QTest::addRow("ash-cat-error") << "cat /nope"
                                   << ""
                                   << "cat: can't open '/nope': No such file or directory\n"
                                   << 1;
    QTest::addRow("cwd-in-prompt") << "cd /tmp"
                                   << ""
                                   << "" << 0;
}

void tst_Shell::podContext()
{
    QFETCH(QString, line);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, status);
    Terminal terminal;
    terminal.run("export REDIS_ADDR=10.59.118.59");
    const RunResult enter = terminal.run("kubectl exec -it busybox /bin/sh -n default");
    QCOMPARE(enter.err, QString());
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(2));
    QCOMPARE(terminal.shell->currentContext().name(), std::string("busybox"));
    QCOMPARE(terminal.shell->prompt(), std::string("/ # "));
    QCOMPARE(terminal.prompts.back(), std::string("/ # "));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);

    const RunResult result = terminal.run(line.toStdString());
    QCOMPARE(result.out, out);
    QCOMPARE(result.err, err);
    QCOMPARE(result.status, status);
    QCOMPARE(terminal.shell->currentContext().name(), std::string("busybox"));
    if (QTest::currentDataTag() == QStringLiteral("cwd-in-prompt")) {
        QCOMPARE(terminal.shell->prompt(), std::string("/tmp # "));
    }
    // The host's own state is untouched by the pod's shell.
    QCOMPARE(terminal.shell->hostContext().cwd(), std::string("/home/learner"));
    QCOMPARE(terminal.shell->hostContext().lastStatus(), 0);
}

void tst_Shell::podContextExitResumesHostLine()
{
    Terminal terminal;
    terminal.run("kubectl exec -it busybox /bin/sh; echo \"back with $?\"");
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(2));
    QCOMPARE(terminal.out, std::string()); // the host line waits for the pod shell
    QCOMPARE(terminal.shell->hostContext().history().size(), std::size_t(1));
    terminal.run("echo in pod");
    QCOMPARE(terminal.out, std::string("in pod\n"));
    terminal.run("exit 7");
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(1));
    QCOMPARE(terminal.out, std::string("back with 7\n"));
    QCOMPARE(terminal.shell->lastStatus(), 0);
    QCOMPARE(terminal.shell->prompt(), std::string("learner@meshcraft:~$ "));
    QCOMPARE(terminal.prompts.back(), std::string("learner@meshcraft:~$ "));
    QVERIFY(terminal.actions.empty()); // leaving a pod is not leaving the terminal
    // The pod's history is its own.
    QCOMPARE(terminal.shell->hostContext().history().size(), std::size_t(1));
    QCOMPARE(terminal.finished.back(),
             std::string("host:kubectl exec -it busybox /bin/sh; echo \"back with $?\"=0"));
    QCOMPARE(terminal.finished.at(terminal.finished.size() - 2), std::string("busybox:exit 7=7"));
}

void tst_Shell::execCommandRunsOnceInPod()
{
    Terminal terminal;
    // The host shell expands; the pod runs the argv as given.
    RunResult result = terminal.run("kubectl exec busybox -- echo $HOME '$HOME'; echo $?");
    QCOMPARE(result.out, QStringLiteral("/home/learner $HOME\n0\n"));
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(1));
    QCOMPARE(terminal.finished.at(0), std::string("busybox:echo /home/learner '$HOME'=0"));
    result = terminal.run("kubectl exec busybox -- redis-cli ping; echo $?");
    QCOMPARE(result.err, QStringLiteral("/bin/sh: redis-cli: not found\n"));
    QCOMPARE(result.out, QStringLiteral("127\n"));
    // An interactive program gets the terminal's lines until it ends.
    terminal.run("kubectl exec busybox -- telnet 10.59.118.59 6379 && echo after");
    QCOMPARE(terminal.shell->state(), Interpreter::State::Attached);
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(2));
    terminal.run("PING");
    QCOMPARE(terminal.out, std::string("+PONG\r\n"));
    terminal.run("QUIT");
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(1));
    QCOMPARE(terminal.shell->lastStatus(), 1);
    QVERIFY(terminal.out.find("after") == std::string::npos);
    // No history in the pod for exec'd commands.
    QCOMPARE(terminal.shell->hostContext().history().size(), std::size_t(3));
}

void tst_Shell::telnetSessionTakesLines()
{
    Terminal terminal;
    terminal.run("kubectl exec -it busybox /bin/sh");
    terminal.run("telnet 10.59.118.59 6379; echo status $?");
    QCOMPARE(terminal.out, std::string("Connected to 10.59.118.59\n"));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Attached);
    QCOMPARE(terminal.shell->prompt(), std::string());
    terminal.run("PING");
    QCOMPARE(terminal.out, std::string("+PONG\r\n"));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Attached);
    // Typed lines are the remote's, not the shell's: no history, no command.
    terminal.run("echo not a command");
    QCOMPARE(terminal.out, std::string("-ERR unknown command 'echo not a command'\r\n"));
    terminal.run("QUIT");
    QCOMPARE(terminal.out, std::string("+OK\r\nConnection closed by foreign host\r\nstatus 1\n"));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
    QCOMPARE(terminal.shell->prompt(), std::string("/ # "));
    QCOMPARE(terminal.shell->currentContext().history(),
             std::vector<std::string>{"telnet 10.59.118.59 6379; echo status $?"});
    // Usage error stays synchronous.
    QCOMPARE(terminal.run("telnet").status, 1);
}

void tst_Shell::sessionPromptFollowsItsReply()
{
    // A redis-cli-like session: the reply comes later, from another thread; its prompt must
    // come after the reply, not when the line was typed.
    class Cli : public CommandSession
    {
    public:
        explicit Cli(CommandHandle handle) : m_handle(std::move(handle)) {}
        void input(std::string_view line) override
        {
            if (line == "quit") {
                m_handle.finish(0);
                return;
            }
            std::string reply = line == "PING" ? "PONG\n" : "(error) ERR\n";
            const CommandHandle handle = m_handle;
            handle.post([handle, reply] {
                handle.out(reply);
                handle.readyForInput();
            });
        }
        std::string prompt() const override { return "10.59.118.59:6379> "; }

    private:
        CommandHandle m_handle;
    };
    Terminal terminal;
    terminal.shell->currentContext().commands().add(
        std::make_shared<FunctionCommand>("cli", "redis-cli-like", [](CommandContext &ctx) {
            return CommandStatus::running(std::make_shared<Cli>(ctx.handle()));
        }));
    terminal.run("cli");
    QCOMPARE(terminal.prompts.back(), std::string("10.59.118.59:6379> "));
    const std::size_t prompts = terminal.prompts.size();
    terminal.run("PING");
    QCOMPARE(terminal.prompts.size(), prompts); // nothing yet: the reply has not come
    QCOMPARE(terminal.transcript.find("PONG"), std::string::npos);
    terminal.shell->processPosted();
    QCOMPARE(terminal.prompts.size(), prompts + 1);
    QVERIFY(terminal.transcript.ends_with("PONG\n"));
    terminal.run("quit");
    QCOMPARE(terminal.prompts.back(), std::string("learner@meshcraft:~$ "));
}

void tst_Shell::scriptedEndOfInputUnwindsEverything()
{
    // D13: a scripted session (lines on stdin) ends telnet, the pod shell, then the host.
    Terminal terminal;
    for (const char *line :
         {"kubectl exec -it busybox /bin/sh", "telnet 10.59.118.59 6379", "PING"}) {
        terminal.shell->submitLine(line);
    }
    QCOMPARE(terminal.shell->state(), Interpreter::State::Attached);
    terminal.shell->endOfInput();
    QCOMPARE(terminal.shell->state(), Interpreter::State::Exited);
    QCOMPARE(terminal.transcript, std::string("Connected to 10.59.118.59\n+PONG\r\n"));
    QCOMPARE(int(terminal.actions.size()), 1);
    QVERIFY(terminal.actions[0].kind == ShellAction::Kind::Exit);
    QCOMPARE(terminal.finished,
             (std::vector<std::string>{"busybox:telnet 10.59.118.59 6379=0",
                                       "host:kubectl exec -it busybox /bin/sh=0"}));
}

void tst_Shell::asyncCommandQueuesTypeAhead()
{
    // A command that finishes on another thread: the caller never blocks, and lines typed
    // meanwhile run afterwards, in order.
    Terminal terminal;
    std::thread worker;
    terminal.shell->currentContext().commands().add(
        std::make_shared<FunctionCommand>("slow", "finishes later", [&worker](CommandContext &ctx) {
            CommandHandle handle = ctx.handle();
            worker = std::thread([handle] {
                handle.post([handle] {
                    handle.out("slow done\n");
                    handle.finish(4);
                });
            });
            class Quiet : public CommandSession
            {
            public:
                bool wantsInput() const override { return false; }
            };
            return CommandStatus::running(std::make_shared<Quiet>());
        }));
    terminal.run("slow && echo never; echo $?");
    QCOMPARE(terminal.shell->state(), Interpreter::State::Busy);
    QCOMPARE(terminal.shell->prompt(), std::string());
    terminal.shell->submitLine("echo typed ahead");
    QCOMPARE(terminal.out, std::string());
    QVERIFY(terminal.shell->waitForPosted(std::chrono::seconds(10)));
    worker.join();
    QVERIFY(terminal.shell->hasPosted());
    terminal.shell->processPosted();
    QCOMPARE(terminal.out, std::string("slow done\n4\ntyped ahead\n"));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
}

void tst_Shell::interruptReachesSession()
{
    Terminal terminal;
    terminal.run("kubectl exec -it busybox /bin/sh");
    terminal.run("telnet 10.59.118.59 6379");
    terminal.shell->interrupt();
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
    QCOMPARE(terminal.shell->lastStatus(), 130);
    // Ctrl+C on a half-typed line drops it.
    terminal.run("echo \"open");
    QCOMPARE(terminal.shell->state(), Interpreter::State::Continuation);
    terminal.shell->interrupt();
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
    QCOMPARE(terminal.run("echo fresh").out, QStringLiteral("fresh\n"));
    // Ctrl+D at the pod's prompt leaves the pod, not the terminal.
    terminal.shell->sendEndOfFile();
    QCOMPARE(terminal.shell->contextDepth(), std::size_t(1));
    QCOMPARE(terminal.shell->state(), Interpreter::State::Ready);
}

// ---- Completion ------------------------------------------------------------------------------

void tst_Shell::completion_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("candidates");
    QTest::addColumn<QString>("common");
    QTest::addRow("command-name") << "kub" << QStringList{"kubectl"} << "kubectl";
    QTest::addRow("command-names-share-prefix") << "he" << QStringList{"head", "help"} << "he";
    QTest::addRow("command-after-pipe") << "cat x | gr" << QStringList{"grep"} << "grep";
    QTest::addRow("command-after-assignment") << "X=1 ec" << QStringList{"echo"} << "echo";
    QTest::addRow("file-names") << "cat istio-workshop-labs/redis"
                                << QStringList{"istio-workshop-labs/redis-egress.yaml",
                                               "istio-workshop-labs/redis-serviceentry.yaml"}
                                << "istio-workshop-labs/redis-";
    QTest::addRow("folder-gets-slash")
        << "cd ist" << QStringList{"istio-workshop-labs/"} << "istio-workshop-labs/";
    QTest::addRow("path-through-variable")
        << "kubectl apply -f $WORKSHOP_HOME/istio-workshop-labs/bu"
        << QStringList{"$WORKSHOP_HOME/istio-workshop-labs/busybox.yaml"}
        << "$WORKSHOP_HOME/istio-workshop-labs/busybox.yaml";
    QTest::addRow("redirection-target")
        << "echo x > ist" << QStringList{"istio-workshop-labs/"} << "istio-workshop-labs/";
    QTest::addRow("variable-name")
        << "echo $WORK" << QStringList{"$WORKSHOP_HOME"} << "$WORKSHOP_HOME";
    QTest::addRow("subcommand") << "kubectl g" << QStringList{"get"} << "get";
    QTest::addRow("flags-of-all-levels")
        << "kubectl get pods --" << QStringList{"--namespace", "--output"} << "--";
    QTest::addRow("flag-values") << "kubectl get pods -o w" << QStringList{"wide"} << "wide";
    QTest::addRow("resource-types")
        << "kubectl get se" << QStringList{"serviceentries", "services"} << "service";
    QTest::addRow("resource-names") << "kubectl get pods b" << QStringList{"busybox"} << "busybox";
    QTest::addRow("resource-names-in-namespace")
        << "kubectl get pods -n istio-system istio-e"
        << QStringList{"istio-egressgateway-6b6f694c97-8xkpn"}
        << "istio-egressgateway-6b6f694c97-8xkpn";
    QTest::addRow("namespace-values")
        << "kubectl -n i" << QStringList{"istio-system"} << "istio-system";
    QTest::addRow("no-files-where-spec-says-so") << "kubectl get pods ist" << QStringList{} << "";
    QTest::addRow("empty-word-after-command")
        << "kubectl " << QStringList{"apply", "exec", "get"} << "";
}

void tst_Shell::completion()
{
    QFETCH(QString, line);
    QFETCH(QStringList, candidates);
    QFETCH(QString, common);
    Terminal terminal;
    terminal.shell->setResourceNameProvider([](std::string_view type, std::string_view ns) {
        if (type == "namespaces") {
            return std::vector<std::string>{"default", "istio-system"};
        }
        if (type == "pods" && ns == "istio-system") {
            return std::vector<std::string>{"istio-egressgateway-6b6f694c97-8xkpn"};
        }
        if (type == "pods") {
            return std::vector<std::string>{"busybox", "cartservice-7d8f9c6b5d-x2x9z"};
        }
        return std::vector<std::string>{};
    });
    const std::string text = line.toStdString();
    const CompletionResult result = terminal.shell->complete(text, text.size());
    QStringList got;
    for (const std::string &candidate : result.candidates) {
        got << QString::fromStdString(candidate);
    }
    QCOMPARE(got, candidates);
    QCOMPARE(QString::fromStdString(result.commonPrefix), common);
    QCOMPARE(result.appendSpace, candidates.size() == 1 && !candidates[0].endsWith('/'));
    // The replaced range is the word under the cursor.
    QCOMPARE(QString::fromStdString(text.substr(result.replaceFrom)),
             QString::fromStdString(result.word));
}

void tst_Shell::completionInPod()
{
    Terminal terminal;
    terminal.run("kubectl exec -it busybox /bin/sh");
    const CompletionResult telnet = terminal.shell->complete("tel", 3);
    QCOMPARE(telnet.candidates, std::vector<std::string>{"telnet"});
    QVERIFY(terminal.shell->complete("red", 3).candidates.empty());
    QVERIFY(terminal.shell->complete("kub", 3).candidates.empty());
    QCOMPARE(terminal.shell->complete("ls /t", 5).candidates, std::vector<std::string>{"/tmp/"});
    // The cursor in the middle of a line completes the word before it.
    QCOMPARE(terminal.shell->complete("ca /tmp", 2).candidates, std::vector<std::string>{"cat"});
}

// ---- Virtual filesystem ----------------------------------------------------------------------

void tst_Shell::pathResolution_data()
{
    QTest::addColumn<QString>("cwd");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("resolved");
    QTest::addRow("absolute") << "/home"
                              << "/tmp/x"
                              << "/tmp/x";
    QTest::addRow("relative") << "/home/learner"
                              << "labs/a.yaml"
                              << "/home/learner/labs/a.yaml";
    QTest::addRow("dot-and-dotdot") << "/home/learner"
                                    << "./a/../b/."
                                    << "/home/learner/b";
    QTest::addRow("dotdot-above-root") << "/"
                                       << "../../etc"
                                       << "/etc";
    QTest::addRow("double-slashes") << "/"
                                    << "//tmp///x//"
                                    << "/tmp/x";
    QTest::addRow("empty-is-cwd") << "/home"
                                  << ""
                                  << "/home";
    QTest::addRow("root") << "/home"
                          << "/"
                          << "/";
}

void tst_Shell::pathResolution()
{
    QFETCH(QString, cwd);
    QFETCH(QString, path);
    QFETCH(QString, resolved);
    QCOMPARE(QString::fromStdString(VirtualFs::resolve(cwd.toStdString(), path.toStdString())),
             resolved);
}

void tst_Shell::fsOperations_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("error"); // -1: success
    QTest::addRow("write-new") << "write"
                               << "/a/new.txt" << -1;
    QTest::addRow("write-creating-parents") << "install"
                                            << "/x/y/z.yaml" << -1;
    QTest::addRow("install-under-file") << "install"
                                        << "/a/file.txt/z" << int(FsErrorCode::NotADirectory);
    QTest::addRow("write-missing-parent") << "write"
                                          << "/nope/x" << int(FsErrorCode::NotFound);
    QTest::addRow("write-under-file") << "write"
                                      << "/a/file.txt/x" << int(FsErrorCode::NotADirectory);
    QTest::addRow("write-over-folder") << "write"
                                       << "/a" << int(FsErrorCode::IsADirectory);
    QTest::addRow("read-folder") << "read"
                                 << "/a" << int(FsErrorCode::IsADirectory);
    QTest::addRow("read-missing") << "read"
                                  << "/a/none" << int(FsErrorCode::NotFound);
    QTest::addRow("mkdir-existing") << "mkdir"
                                    << "/a" << int(FsErrorCode::AlreadyExists);
    QTest::addRow("mkdir-missing-parent") << "mkdir"
                                          << "/x/y" << int(FsErrorCode::NotFound);
    QTest::addRow("remove-nonempty") << "remove"
                                     << "/a" << int(FsErrorCode::NotEmpty);
    QTest::addRow("remove-missing") << "remove"
                                    << "/zzz" << int(FsErrorCode::NotFound);
    QTest::addRow("remove-file") << "remove"
                                 << "/a/file.txt" << -1;
    QTest::addRow("remove-root") << "remove"
                                 << "/" << int(FsErrorCode::InvalidPath);
    QTest::addRow("list-missing") << "list"
                                  << "/zzz" << int(FsErrorCode::NotFound);
}

void tst_Shell::fsOperations()
{
    QFETCH(QString, operation);
    QFETCH(QString, path);
    QFETCH(int, error);
    VirtualFs fs;
    QVERIFY(fs.makeDirectory("/a"));
    QVERIFY(fs.writeFile("/a/file.txt", "x"));
    const std::string p = path.toStdString();
    FsResult<void> result;
    if (operation == "write") {
        result = fs.writeFile(p, "y");
    } else if (operation == "install") {
        result = fs.writeFile(p, "y", true);
        QCOMPARE(fs.isFile(p), bool(result));
    } else if (operation == "read") {
        auto read = fs.readFile(p);
        result = read ? FsResult<void>() : tl::unexpected(read.error());
    } else if (operation == "mkdir") {
        result = fs.makeDirectory(p);
    } else if (operation == "remove") {
        result = fs.remove(p);
    } else {
        auto listed = fs.list(p);
        result = listed ? FsResult<void>() : tl::unexpected(listed.error());
    }
    QCOMPARE(result ? -1 : int(result.error().code), error);
}

void tst_Shell::fsObserverAndSnapshot()
{
    VirtualFs fs;
    struct Recorder : VirtualFsObserver
    {
        std::vector<std::string> seen;
        void onFsChanged(const FsChange &change) override
        {
            seen.push_back(std::to_string(int(change.kind)) + change.path);
        }
    } recorder;
    fs.addObserver(&recorder);
    QVERIFY(fs.makeDirectory("/w/labs", true));
    QVERIFY(fs.writeFile("/w/labs/a.yaml", "a: 1\n"));
    const FsSnapshot initial = fs.snapshot();
    QVERIFY(fs.appendFile("/w/labs/a.yaml", "b: 2\n"));
    QVERIFY(fs.writeFile("/w/b-file", "b"));
    QVERIFY(fs.remove("/w", true));
    QVERIFY(!fs.exists("/w/labs/a.yaml"));
    QCOMPARE(recorder.seen, (std::vector<std::string>{
                                "0/w", "0/w/labs", "0/w/labs/a.yaml", "1/w/labs/a.yaml",
                                "0/w/b-file", "2/w/labs/a.yaml", "2/w/labs", "2/w/b-file", "2/w"}));
    fs.restore(initial);
    QCOMPARE(fs.readFile("/w/labs/a.yaml").value(), std::string("a: 1\n"));
    QCOMPARE(recorder.seen.back(), std::string("3/"));
    QVERIFY(fs.snapshot() == initial);
    // Sibling names that sort between a folder and its children do not confuse listing.
    QVERIFY(fs.writeFile("/w/labs-b", "x"));
    QVERIFY(fs.writeFile("/w/labs/c", "x"));
    const auto listed = fs.list("/w");
    QVERIFY(listed);
    QCOMPARE(int(listed->size()), 2);
    QCOMPARE(listed->at(0).name, std::string("labs"));
    QVERIFY(listed->at(0).isDirectory);
    QCOMPARE(listed->at(1).name, std::string("labs-b"));
    fs.removeObserver(&recorder);
}

void tst_Shell::snapshotTextRoundTrips()
{
    VirtualFs fs;
    QVERIFY(fs.makeDirectory("/home/learner/empty", true));
    QVERIFY(fs.writeFile("/home/learner/x.yaml", "line\nF 3 /fake\n\nno newline"));
    QVERIFY(fs.writeFile("/home/learner/empty.txt", ""));
    const std::string text = serializeSnapshot(fs.snapshot());
    const auto back = deserializeSnapshot(text);
    QVERIFY(back);
    QVERIFY(*back == fs.snapshot());
    QVERIFY(!deserializeSnapshot("not a snapshot"));
    QVERIFY(!deserializeSnapshot(text.substr(0, text.size() - 4)));
}

// ---- The module's promise (D11) -----------------------------------------------------------

void tst_Shell::neverRunsHostPrograms_data()
{
    QTest::addColumn<QString>("file");
    const QString root = QStringLiteral(MESHCRAFT_SOURCE_DIR "/core/shell");
    QDirIterator it(root, {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                    QDirIterator::Subdirectories);
    int count = 0;
    while (it.hasNext()) {
        const QString file = it.next();
        QTest::addRow("%s", qPrintable(QDir(root).relativeFilePath(file))) << file;
        ++count;
    }
    QVERIFY(count >= 10);
}

void tst_Shell::neverRunsHostPrograms()
{
    QFETCH(QString, file);
    QFile source(file);
    QVERIFY(source.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(source.readAll());
    // No process is started and no host file is opened from the terminal's code.
    static const QRegularExpression forbidden(QStringLiteral(
        R"((\bsystem\s*\(|\bpopen\s*\(|\bexec[lv]p?e?\s*\(|\bfork\s*\(|posix_spawn|)"
        R"(\bfopen\s*\(|std::[io]?fstream|<filesystem>|common::readFile|#include\s*<Q))"));
    const QRegularExpressionMatch match = forbidden.match(text);
    QVERIFY2(!match.hasMatch(), qPrintable(file + ": " + match.captured(0)));
}

QTEST_APPLESS_MAIN(tst_Shell)
#include "tst_shell.moc"

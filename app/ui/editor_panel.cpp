// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/editor_panel.h"

#include "app/bridge/session_bridge.h"
#include "app/models/problem_list_model.h"

#include <Qsci/qscilexeryaml.h>
#include <Qsci/qsciscintilla.h>
#include <Qsci/qscistyle.h>

#include <QAction>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace meshcraft::app {

namespace events = core::lab::events;
using core::common::Severity;

namespace {

constexpr int ErrorMarker = 1;
constexpr int WarningMarker = 2;
constexpr int ErrorIndicator = 8;
constexpr int WarningIndicator = 9;
constexpr int ErrorAnnotationStyle = 200;
constexpr int WarningAnnotationStyle = 201;

} // namespace

struct EditorPanel::Buffer
{
    QString path;
    QsciScintilla *editor = nullptr;
    QTimer *validateTimer = nullptr;
    QTimer *saveTimer = nullptr;
    std::uint64_t lastValidation = 0; ///< the id whose answer counts
    bool validated = false;
    bool loading = false; ///< text set by us, not typed
    QString lastWritten;     ///< what this panel last saved, to know its own change coming back
};

EditorPanel::EditorPanel(SessionBridge &bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_problems(new ProblemListModel(this))
{
    setObjectName(QStringLiteral("editorPanel"));

    m_applyButton = new QPushButton(tr("&Apply"), this);
    m_applyButton->setObjectName(QStringLiteral("applyButton"));
    m_applyButton->setToolTip(tr("Apply this file to the cluster, as kubectl apply -f does "
                                 "(Ctrl+Shift+Return)"));
    m_revertButton = new QPushButton(tr("Re&vert"), this);
    m_revertButton->setObjectName(QStringLiteral("revertButton"));
    m_revertButton->setToolTip(tr("Restore the lab's original of this file"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("editorStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_applyButton);
    buttons->addWidget(m_revertButton);
    buttons->addWidget(m_status, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("editorTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setUsesScrollButtons(true);
    m_tabs->setElideMode(Qt::ElideNone);

    m_problemsView = new QTreeView(this);
    m_problemsView->setObjectName(QStringLiteral("problemsView"));
    m_problemsView->setModel(m_problems);
    m_problemsView->setRootIsDecorated(false);
    m_problemsView->setUniformRowHeights(false); // long messages wrap
    m_problemsView->setWordWrap(true);
    m_problemsView->setAlternatingRowColors(true);
    m_problemsView->setAccessibleName(tr("Problems"));
    m_problemsView->header()->setStretchLastSection(true);
    m_problemsView->header()->setSectionResizeMode(ProblemListModel::SeverityColumn,
                                                   QHeaderView::ResizeToContents);
    m_problemsView->header()->setSectionResizeMode(ProblemListModel::LocationColumn,
                                                   QHeaderView::ResizeToContents);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_tabs, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_problemsView);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({fontMetrics().height() * 30, fontMetrics().height() * 6});
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    // Edits are saved as you go; Ctrl+S, pressed out of habit, saves at once and says so.
    auto *save = new QAction(tr("Save"), this);
    save->setShortcut(QKeySequence::Save);
    save->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(save);
    connect(save, &QAction::triggered, this, [this] {
        if (Buffer *buffer = currentBuffer()) {
            saveNow(*buffer);
            m_status->setText(tr("Saved to the lab's workspace."));
        }
    });

    connect(m_applyButton, &QPushButton::clicked, this, &EditorPanel::applyCurrent);
    connect(m_revertButton, &QPushButton::clicked, this, &EditorPanel::revertCurrent);
    connect(m_problemsView, &QTreeView::activated, this, &EditorPanel::jumpTo);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int) { updateStatus(); });

    connect(&m_bridge, &SessionBridge::labOpened, this,
            [this](const events::LabOpened &) { loadWorkspace(); });
    connect(&m_bridge, &SessionBridge::bufferValidated, this,
            [this](const events::BufferValidated &event) {
                const auto found = m_validations.find(event.requestId);
                if (found == m_validations.end()) {
                    return;
                }
                const QString path = found->second;
                m_validations.erase(found);
                Buffer *buffer = bufferFor(path);
                if (buffer != nullptr && buffer->lastValidation == event.requestId) {
                    buffer->validated = true;
                    showDiagnostics(*buffer, event.diagnostics);
                }
            });
    connect(&m_bridge, &SessionBridge::applied, this, [this](const events::Applied &event) {
        const auto found = m_applies.find(event.requestId);
        if (found == m_applies.end()) {
            return; // the terminal's kubectl, not ours
        }
        const QString path = found->second;
        m_applies.erase(found);
        if (Buffer *buffer = bufferFor(path)) {
            showDiagnostics(*buffer, event.diagnostics);
        }
        m_status->setText(event.ok ? tr("Applied.") : tr("Refused: nothing was changed."));
        emit applied(event);
    });
    connect(&m_bridge, &SessionBridge::fileChanged, this, [this](const events::FileChanged &event) {
        Buffer *buffer = bufferFor(QString::fromStdString(event.path));
        if (buffer == nullptr || event.removed) {
            return;
        }
        // Our own save coming back must not undo what was typed since.
        if (m_bridge.readFile(buffer->path).value_or(QString()) != buffer->lastWritten) {
            reloadFromWorkspace(*buffer);
        }
    });
    connect(&m_bridge, &SessionBridge::worldRebuilt, this,
            [this](const events::WorldRebuilt &) {
                for (const auto &buffer : m_buffers) {
                    reloadFromWorkspace(*buffer);
                }
            });
}

EditorPanel::~EditorPanel()
{
    // Whatever is typed and not yet saved goes to the workspace (D23).
    for (const auto &buffer : m_buffers) {
        if (buffer->saveTimer->isActive()) {
            saveNow(*buffer);
        }
    }
}

EditorPanel::Buffer *EditorPanel::bufferFor(const QString &path) const
{
    for (const auto &buffer : m_buffers) {
        if (buffer->path == path) {
            return buffer.get();
        }
    }
    return nullptr;
}

EditorPanel::Buffer *EditorPanel::currentBuffer() const
{
    QWidget *current = m_tabs->currentWidget();
    for (const auto &buffer : m_buffers) {
        if (buffer->editor == current) {
            return buffer.get();
        }
    }
    return nullptr;
}

QString EditorPanel::currentPath() const
{
    const Buffer *buffer = currentBuffer();
    return buffer != nullptr ? buffer->path : QString();
}

QStringList EditorPanel::openPaths() const
{
    QStringList paths;
    for (const auto &buffer : m_buffers) {
        paths.append(buffer->path);
    }
    return paths;
}

QsciScintilla *EditorPanel::editorFor(const QString &path) const
{
    const Buffer *buffer = bufferFor(path);
    return buffer != nullptr ? buffer->editor : nullptr;
}

QsciScintilla *EditorPanel::currentEditor() const
{
    const Buffer *buffer = currentBuffer();
    return buffer != nullptr ? buffer->editor : nullptr;
}

bool EditorPanel::isValidated(const QString &path) const
{
    const Buffer *buffer = bufferFor(path);
    return buffer != nullptr && buffer->validated && !buffer->validateTimer->isActive();
}

QList<int> EditorPanel::markerLines(const QString &path) const
{
    QList<int> lines;
    const Buffer *buffer = bufferFor(path);
    if (buffer == nullptr) {
        return lines;
    }
    const unsigned mask = (1U << ErrorMarker) | (1U << WarningMarker);
    for (int line = 0; line < buffer->editor->lines(); ++line) {
        if ((buffer->editor->markersAtLine(line) & mask) != 0) {
            lines.append(line + 1);
        }
    }
    return lines;
}

void EditorPanel::loadWorkspace()
{
    for (const QString &path : m_bridge.workspaceFiles()) {
        if (bufferFor(path) == nullptr) {
            createBuffer(path);
        } else {
            reloadFromWorkspace(*bufferFor(path));
        }
    }
    if (m_tabs->count() > 0 && m_tabs->currentIndex() < 0) {
        m_tabs->setCurrentIndex(0);
    }
    updateStatus();
}

EditorPanel::Buffer *EditorPanel::createBuffer(const QString &path)
{
    auto buffer = std::make_unique<Buffer>();
    buffer->path = path;
    buffer->editor = new QsciScintilla(m_tabs);
    buffer->editor->setObjectName(QStringLiteral("editor:") + path);
    buffer->editor->setAccessibleName(QFileInfo(path).fileName());
    styleEditor(*buffer->editor);
    buffer->validateTimer = new QTimer(buffer->editor);
    buffer->validateTimer->setSingleShot(true);
    buffer->validateTimer->setInterval(ValidateDelayMs);
    buffer->saveTimer = new QTimer(buffer->editor);
    buffer->saveTimer->setSingleShot(true);
    buffer->saveTimer->setInterval(SaveDelayMs);

    Buffer *raw = buffer.get();
    m_buffers.push_back(std::move(buffer));
    connect(raw->validateTimer, &QTimer::timeout, this, [this, raw] { validateNow(*raw); });
    connect(raw->saveTimer, &QTimer::timeout, this, [this, raw] { saveNow(*raw); });
    connect(raw->editor, &QsciScintilla::textChanged, this, [raw] {
        if (raw->loading) {
            return;
        }
        raw->validated = false;
        raw->validateTimer->start();
        raw->saveTimer->start();
    });

    const int tab = m_tabs->addTab(raw->editor, QFileInfo(path).fileName());
    m_tabs->setTabToolTip(tab, path);
    reloadFromWorkspace(*raw);
    return raw;
}

void EditorPanel::reloadFromWorkspace(Buffer &buffer)
{
    const std::optional<QString> text = m_bridge.readFile(buffer.path);
    const QString content = text.value_or(QString());
    if (content == buffer.editor->text()) {
        buffer.lastWritten = content;
        if (!buffer.validated && !buffer.validateTimer->isActive()) {
            validateNow(buffer);
        }
        return;
    }
    // Replaced through the selection so the change is one undo step, not a lost history.
    buffer.loading = true;
    int line = 0;
    int index = 0;
    buffer.editor->getCursorPosition(&line, &index);
    if (buffer.editor->length() == 0) {
        buffer.editor->setText(content);
    } else {
        buffer.editor->beginUndoAction();
        buffer.editor->selectAll();
        buffer.editor->replaceSelectedText(content);
        buffer.editor->endUndoAction();
    }
    buffer.editor->setCursorPosition(qMin(line, buffer.editor->lines() - 1), index);
    buffer.loading = false;
    buffer.lastWritten = content;
    validateNow(buffer);
}

void EditorPanel::openFile(const QString &path)
{
    Buffer *buffer = bufferFor(path);
    if (buffer == nullptr) {
        buffer = createBuffer(path);
    }
    m_tabs->setCurrentWidget(buffer->editor);
    buffer->editor->setFocus();
}

void EditorPanel::validateNow(Buffer &buffer)
{
    buffer.validateTimer->stop();
    buffer.validated = false;
    const std::uint64_t id = m_bridge.validateBuffer(buffer.path, buffer.editor->text());
    buffer.lastValidation = id;
    m_validations.emplace(id, buffer.path);
}

void EditorPanel::saveNow(Buffer &buffer)
{
    buffer.saveTimer->stop();
    buffer.lastWritten = buffer.editor->text();
    m_bridge.writeFile(buffer.path, buffer.lastWritten);
}

void EditorPanel::applyCurrent()
{
    Buffer *buffer = currentBuffer();
    if (buffer == nullptr) {
        return;
    }
    buffer->saveTimer->stop(); // the apply saves it
    buffer->lastWritten = buffer->editor->text();
    const std::uint64_t id = m_bridge.applyBuffer(buffer->path, buffer->lastWritten);
    m_applies.emplace(id, buffer->path);
    m_status->setText(tr("Applying…"));
}

void EditorPanel::revertCurrent()
{
    Buffer *buffer = currentBuffer();
    if (buffer == nullptr) {
        return;
    }
    buffer->saveTimer->stop();
    m_bridge.revertFile(buffer->path); // the FileChanged event reloads the buffer
    m_status->setText(tr("Reverted to the lab's original."));
}

void EditorPanel::showDiagnostics(Buffer &buffer, const core::common::Diagnostics &diagnostics)
{
    QsciScintilla &editor = *buffer.editor;
    editor.markerDeleteAll(ErrorMarker);
    editor.markerDeleteAll(WarningMarker);
    const int lastLine = qMax(0, editor.lines() - 1);
    editor.clearIndicatorRange(0, 0, lastLine, editor.lineLength(lastLine), ErrorIndicator);
    editor.clearIndicatorRange(0, 0, lastLine, editor.lineLength(lastLine), WarningIndicator);
    editor.clearAnnotations();

    QHash<int, QStringList> notes;
    QHash<int, bool> errorLines;
    for (const core::common::Diagnostic &d : diagnostics) {
        const int line = qBound(0, (d.location.isKnown() ? d.location.line : 1) - 1, lastLine);
        const bool error = d.severity == Severity::Error;
        editor.markerAdd(line, error ? ErrorMarker : WarningMarker);
        // Underline the token at the column: up to the next space or the end of the line.
        const QString text = editor.text(line);
        const int start = qBound(0, d.location.column - 1, qMax(0, static_cast<int>(text.size())));
        int end = start;
        while (end < text.size() && !text.at(end).isSpace()) {
            ++end;
        }
        if (end == start) {
            end = qMin(static_cast<int>(text.size()), start + 1);
        }
        editor.fillIndicatorRange(line, start, line, end, error ? ErrorIndicator : WarningIndicator);
        notes[line].append((error ? tr("error: %1") : tr("warning: %1"))
                               .arg(QString::fromStdString(d.message)));
        errorLines[line] = errorLines.value(line) || error;
    }
    for (auto it = notes.cbegin(); it != notes.cend(); ++it) {
        editor.annotate(it.key(), it.value().join(QLatin1Char('\n')),
                        errorLines.value(it.key()) ? ErrorAnnotationStyle : WarningAnnotationStyle);
    }
    m_problems->setProblems(buffer.path, diagnostics);
    updateStatus();
}

void EditorPanel::updateStatus()
{
    const int errors = m_problems->errorCount();
    const int all = m_problems->count();
    if (all == 0) {
        m_status->setText(tr("No problems."));
    } else {
        m_status->setText(tr("%n error(s)", nullptr, errors) + QStringLiteral(", ")
                          + tr("%n warning(s)", nullptr, all - errors));
    }
    const bool hasBuffer = currentBuffer() != nullptr;
    m_applyButton->setEnabled(hasBuffer);
    m_revertButton->setEnabled(hasBuffer);
}

void EditorPanel::jumpTo(const QModelIndex &index)
{
    const ProblemListModel::Problem *problem = m_problems->problem(index.row());
    if (problem == nullptr) {
        return;
    }
    openFile(problem->path);
    QsciScintilla *editor = editorFor(problem->path);
    const int line = qMax(1, problem->diagnostic.location.line) - 1;
    const int column = qMax(1, problem->diagnostic.location.column) - 1;
    editor->setCursorPosition(line, column);
    editor->ensureLineVisible(line);
    editor->setFocus();
}

void EditorPanel::setDark(bool dark)
{
    m_dark = dark;
    for (const auto &buffer : m_buffers) {
        styleEditor(*buffer->editor);
    }
}

void EditorPanel::styleEditor(QsciScintilla &editor) const
{
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *lexer = qobject_cast<QsciLexerYAML *>(editor.lexer());
    if (lexer == nullptr) {
        lexer = new QsciLexerYAML(&editor);
        editor.setLexer(lexer);
    }
    lexer->setFont(font);
    const QColor paper = m_dark ? QColor(0x1e, 0x1f, 0x22) : QColor(Qt::white);
    const QColor ink = m_dark ? QColor(0xe6, 0xe6, 0xe6) : QColor(0x1f, 0x23, 0x28);
    lexer->setDefaultPaper(paper);
    lexer->setPaper(paper, -1);
    lexer->setDefaultColor(ink);
    lexer->setColor(ink, -1);
    // Contrast of at least 4.5:1 against the paper in both themes.
    lexer->setColor(m_dark ? QColor(0x8f, 0x9b, 0xa8) : QColor(0x5c, 0x66, 0x70),
                    QsciLexerYAML::Comment);
    lexer->setColor(m_dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x05, 0x50, 0xae),
                    QsciLexerYAML::Identifier);
    lexer->setColor(m_dark ? QColor(0xff, 0xa6, 0x57) : QColor(0x95, 0x38, 0x00),
                    QsciLexerYAML::Keyword);
    lexer->setColor(m_dark ? QColor(0xa5, 0xd6, 0xff) : QColor(0x0a, 0x30, 0x69),
                    QsciLexerYAML::Number);
    lexer->setColor(m_dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x6f, 0x42, 0xc1),
                    QsciLexerYAML::Reference);
    lexer->setColor(m_dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x11, 0x63, 0x29),
                    QsciLexerYAML::DocumentDelimiter);
    lexer->setColor(m_dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x11, 0x63, 0x29),
                    QsciLexerYAML::TextBlockMarker);
    lexer->setColor(m_dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xa4, 0x0e, 0x26),
                    QsciLexerYAML::SyntaxErrorMarker);
    lexer->setColor(ink, QsciLexerYAML::Operator);

    editor.setUtf8(true);
    editor.setFont(font);
    editor.setIndentationsUseTabs(false);
    editor.setTabWidth(2);
    editor.setIndentationGuides(true);
    editor.setAutoIndent(true);
    editor.setBackspaceUnindents(true);
    editor.setCaretForegroundColor(ink);
    editor.setCaretLineVisible(true);
    editor.setCaretLineBackgroundColor(m_dark ? QColor(0x2a, 0x2c, 0x30) : QColor(0xf3, 0xf5, 0xf8));
    editor.setSelectionBackgroundColor(m_dark ? QColor(0x26, 0x4f, 0x78) : QColor(0xb4, 0xd5, 0xfe));
    editor.setMatchedBraceBackgroundColor(paper);

    // Margin 0: line numbers; margin 1: the diagnostic symbols.
    const QFontMetrics metrics(font);
    editor.setMarginType(0, QsciScintilla::NumberMargin);
    editor.setMarginLineNumbers(0, true);
    editor.setMarginWidth(0, metrics.horizontalAdvance(QStringLiteral("0000")) + 6);
    editor.setMarginsFont(font);
    editor.setMarginsBackgroundColor(m_dark ? QColor(0x26, 0x28, 0x2c) : QColor(0xf0, 0xf1, 0xf3));
    editor.setMarginsForegroundColor(m_dark ? QColor(0x9a, 0xa0, 0xa6) : QColor(0x5e, 0x64, 0x6b));
    editor.setMarginType(1, QsciScintilla::SymbolMargin);
    editor.setMarginWidth(1, metrics.height());
    editor.setMarginSensitivity(1, false);
    editor.setMarginMarkerMask(1, (1 << ErrorMarker) | (1 << WarningMarker));
    // An error is a filled circle, a warning a triangle: shape as well as colour (D27).
    const QColor error = m_dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc0, 0x1c, 0x28);
    const QColor warning = m_dark ? QColor(0xe5, 0xb4, 0x3c) : QColor(0x9a, 0x67, 0x00);
    editor.markerDefine(QsciScintilla::Circle, ErrorMarker);
    editor.setMarkerBackgroundColor(error, ErrorMarker);
    editor.setMarkerForegroundColor(error, ErrorMarker);
    editor.markerDefine(QsciScintilla::RightTriangle, WarningMarker);
    editor.setMarkerBackgroundColor(warning, WarningMarker);
    editor.setMarkerForegroundColor(warning, WarningMarker);

    editor.indicatorDefine(QsciScintilla::SquiggleIndicator, ErrorIndicator);
    editor.setIndicatorForegroundColor(error, ErrorIndicator);
    editor.indicatorDefine(QsciScintilla::SquiggleIndicator, WarningIndicator);
    editor.setIndicatorForegroundColor(warning, WarningIndicator);

    editor.setAnnotationDisplay(QsciScintilla::AnnotationIndented);
    QsciStyle errorStyle(ErrorAnnotationStyle, tr("Error annotation"),
                         m_dark ? QColor(0xff, 0xc4, 0xc4) : QColor(0x82, 0x07, 0x1e),
                         m_dark ? QColor(0x4a, 0x1f, 0x22) : QColor(0xfd, 0xe7, 0xe9), font);
    QsciStyle warningStyle(WarningAnnotationStyle, tr("Warning annotation"),
                           m_dark ? QColor(0xf5, 0xdd, 0x9a) : QColor(0x5c, 0x3d, 0x00),
                           m_dark ? QColor(0x3f, 0x34, 0x16) : QColor(0xff, 0xf4, 0xd6), font);
    errorStyle.apply(&editor);
    warningStyle.apply(&editor);
}

} // namespace meshcraft::app

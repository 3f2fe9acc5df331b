// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/ui/guide_panel.h"

#include "app/bridge/session_bridge.h"
#include "app/models/step_list_model.h"
#include "app/ui/theme.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QFrame>
#include <QItemSelectionModel>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QVBoxLayout>

#include <cmath>

namespace meshcraft::app {

namespace events = core::lab::events;
using core::lab::StepState;

namespace {

/// A markdown browser as tall as its text, so the whole step scrolls as one page.
class AutoHeightBrowser : public QTextBrowser
{
public:
    explicit AutoHeightBrowser(QWidget *parent)
        : QTextBrowser(parent)
    {
        setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        setFrameShape(QFrame::NoFrame);
        setOpenExternalLinks(true);
        viewport()->setAutoFillBackground(false);
        // The layout sizes the document lazily: follow its size, not its contents.
        connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged,
                this, [this] { fitHeight(); });
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QTextBrowser::resizeEvent(event);
        fitHeight();
    }

private:
    void fitHeight()
    {
        document()->setTextWidth(viewport()->width());
        const int height = static_cast<int>(std::ceil(document()->size().height()))
                           + 2 * frameWidth() + contentsMargins().top()
                           + contentsMargins().bottom();
        if (height != this->height()) {
            setFixedHeight(height);
        }
    }
};

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

void clearLayout(QVBoxLayout *layout)
{
    while (QLayoutItem *item = layout->takeAt(0)) {
        if (QWidget *widget = item->widget()) {
            // Out of the tree at once (findChild, focus chain), deleted once its signals return.
            widget->hide();
            widget->setParent(nullptr);
            widget->deleteLater();
        }
        delete item;
    }
}

/// A wrapped label must not widen the guide (long commands have no spaces to wrap at); its
/// height still follows its width.
void ignoreWidth(QLabel *label)
{
    QSizePolicy policy = label->sizePolicy();
    policy.setHorizontalPolicy(QSizePolicy::Ignored);
    policy.setHeightForWidth(true);
    label->setSizePolicy(policy);
}

/// "redis-api-enabled" -> "Redis api enabled"
QString humanize(const std::string &name)
{
    QString text = QString::fromStdString(name);
    text.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!text.isEmpty()) {
        text[0] = text[0].toUpper();
    }
    return text;
}

} // namespace

GuidePanel::GuidePanel(SessionBridge &bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_steps(new StepListModel(this))
{
    setObjectName(QStringLiteral("guidePanel"));

    m_labTitle = new QLabel(this);
    m_labTitle->setObjectName(QStringLiteral("labTitle"));
    m_labTitle->setWordWrap(true);
    QFont titleFont = m_labTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_labTitle->setFont(titleFont);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("completion"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%p% complete"));
    m_progress->setAccessibleName(tr("Completion"));

    m_stepList = new QListView(this);
    m_stepList->setObjectName(QStringLiteral("stepList"));
    m_stepList->setModel(m_steps);
    m_stepList->setUniformItemSizes(true);
    m_stepList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_stepList->setAccessibleName(tr("Steps"));
    const int iconSize = fontMetrics().height();
    m_stepList->setIconSize(QSize(iconSize, iconSize));

    // The step's page: title, text, notes, commands, actions, checklist, hints, solution.
    m_page = new QWidget;
    m_page->setObjectName(QStringLiteral("stepPage"));
    auto *page = new QVBoxLayout(m_page);
    m_stepTitle = heading(QString(), m_page);
    m_stepTitle->setObjectName(QStringLiteral("stepTitle"));
    m_stepTitle->setWordWrap(true);
    QFont stepFont = m_stepTitle->font();
    stepFont.setPointSizeF(stepFont.pointSizeF() * 1.1);
    m_stepTitle->setFont(stepFont);
    m_stepState = new QLabel(m_page);
    m_stepState->setObjectName(QStringLiteral("stepState"));
    m_text = new AutoHeightBrowser(m_page);
    m_text->setObjectName(QStringLiteral("stepText"));
    m_notesBox = new QVBoxLayout;
    m_commandsHeading = heading(tr("Commands"), m_page);
    m_commandsBox = new QVBoxLayout;

    m_checkButton = new QPushButton(tr("&Check"), m_page);
    m_checkButton->setObjectName(QStringLiteral("checkButton"));
    m_checkButton->setToolTip(tr("Check this step's conditions (F5)"));
    m_hintButton = new QPushButton(tr("&Hint"), m_page);
    m_hintButton->setObjectName(QStringLiteral("hintButton"));
    m_solutionButton = new QPushButton(tr("Show &solution"), m_page);
    m_solutionButton->setObjectName(QStringLiteral("solutionButton"));
    m_resetButton = new QPushButton(tr("&Reset step"), m_page);
    m_resetButton->setObjectName(QStringLiteral("resetButton"));
    m_resetButton->setToolTip(tr("Set the lab up as it was when this step began"));
    m_jumpButton = new QPushButton(tr("&Jump to this step"), m_page);
    m_jumpButton->setObjectName(QStringLiteral("jumpButton"));
    m_jumpButton->setToolTip(
        tr("Set the lab up for this step by running the solutions of the steps before it"));
    // Two columns, so a narrow guide (1366×768 with every panel open) still shows them all.
    auto *actions = new QGridLayout;
    actions->addWidget(m_checkButton, 0, 0);
    actions->addWidget(m_hintButton, 0, 1);
    actions->addWidget(m_solutionButton, 1, 0);
    actions->addWidget(m_resetButton, 1, 1);
    actions->addWidget(m_jumpButton, 2, 0, 1, 2);

    m_checklistBox = new QVBoxLayout;
    m_hintsBox = new QVBoxLayout;
    m_solutionBox = new QVBoxLayout;

    page->addWidget(m_stepTitle);
    page->addWidget(m_stepState);
    page->addWidget(m_text);
    page->addLayout(m_notesBox);
    page->addWidget(m_commandsHeading);
    page->addLayout(m_commandsBox);
    page->addLayout(actions);
    page->addLayout(m_checklistBox);
    page->addLayout(m_hintsBox);
    page->addLayout(m_solutionBox);
    page->addStretch(1);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("stepScroll"));
    m_scroll->setWidget(m_page);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setFrameShape(QFrame::NoFrame);

    m_finish = new QTextBrowser(this);
    m_finish->setObjectName(QStringLiteral("finishPage"));
    m_finish->setOpenExternalLinks(true);
    m_finish->setFrameShape(QFrame::NoFrame);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_scroll);
    m_stack->addWidget(m_finish);

    m_previousButton = new QPushButton(style()->standardIcon(QStyle::SP_ArrowBack),
                                       tr("&Previous"), this);
    m_previousButton->setObjectName(QStringLiteral("previousButton"));
    m_previousButton->setToolTip(tr("Previous step (Alt+Left)"));
    m_nextButton = new QPushButton(style()->standardIcon(QStyle::SP_ArrowForward), tr("&Next"),
                                   this);
    m_nextButton->setObjectName(QStringLiteral("nextButton"));
    m_nextButton->setToolTip(tr("Next step (Alt+Right)"));
    m_nextButton->setLayoutDirection(Qt::RightToLeft); // the arrow after the word
    auto *navigation = new QHBoxLayout;
    navigation->addWidget(m_previousButton);
    navigation->addStretch(1);
    navigation->addWidget(m_nextButton);

    auto *pane = new QWidget(this);
    auto *paneLayout = new QVBoxLayout(pane);
    paneLayout->setContentsMargins(0, 0, 0, 0);
    paneLayout->addWidget(m_stack, 1);
    paneLayout->addLayout(navigation);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_stepList);
    splitter->addWidget(pane);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    // About six steps show at once; the rest scroll.
    splitter->setSizes({m_stepList->sizeHintForRow(0) > 0 ? m_stepList->sizeHintForRow(0) * 6
                                                          : fontMetrics().height() * 9,
                        fontMetrics().height() * 40});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_labTitle);
    layout->addWidget(m_progress);
    layout->addWidget(splitter, 1);

    // Clicks and the keyboard (arrows in the list) both show the step.
    connect(m_stepList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid() && current.row() + 1 != m_viewed) {
                    viewStep(current.row() + 1);
                }
            });
    connect(m_stepList, &QListView::clicked, this, [this](const QModelIndex &index) {
        if (index.row() + 1 != m_viewed || finishShown()) {
            viewStep(index.row() + 1);
        }
    });
    connect(m_checkButton, &QPushButton::clicked, this, &GuidePanel::check);
    connect(m_hintButton, &QPushButton::clicked, this, &GuidePanel::requestHint);
    connect(m_solutionButton, &QPushButton::clicked, this, &GuidePanel::showSolution);
    connect(m_resetButton, &QPushButton::clicked, this, &GuidePanel::resetStep);
    connect(m_jumpButton, &QPushButton::clicked, this, &GuidePanel::jumpToViewedStep);
    connect(m_previousButton, &QPushButton::clicked, this, &GuidePanel::previousStep);
    connect(m_nextButton, &QPushButton::clicked, this, &GuidePanel::nextStep);

    connect(&m_bridge, &SessionBridge::labOpened, this,
            [this](const events::LabOpened &) { onLabOpened(); });
    // A lost answer (the world rebuilt under the check) must not leave Check disabled.
    m_checkTimeout.setSingleShot(true);
    m_checkTimeout.setInterval(60'000);
    connect(&m_checkTimeout, &QTimer::timeout, this, &GuidePanel::checkDone);
    connect(&m_bridge, &SessionBridge::errorReported, this,
            [this](const events::Error &) { checkDone(); });
    connect(&m_bridge, &SessionBridge::openFailed, this, [this](const events::OpenFailed &event) {
        QString text = tr("**The lab could not be opened.** %1\n\n")
                           .arg(QString::fromStdString(event.message));
        for (const core::common::Diagnostic &diagnostic : event.diagnostics) {
            text += QStringLiteral("    ") + QString::fromStdString(diagnostic.toString())
                    + QStringLiteral("\n");
        }
        showProblem(text);
    });
    connect(&m_bridge, &SessionBridge::labLocked, this, [this](const events::LabLocked &event) {
        showProblem(tr("**The lab %1 is open in another Meshcraft session** (a window or `lab "
                       "shell`). Close it and start Meshcraft again. The lock is `%2`.")
                        .arg(QString::fromStdString(event.labId),
                             QString::fromStdString(event.lockPath)));
    });
    connect(&m_bridge, &SessionBridge::stepStateChanged, this,
            [this](const events::StepStateChanged &event) {
                m_steps->updateStep(event.status);
                if (event.status.index == m_viewed) {
                    updateButtons();
                }
            });
    connect(&m_bridge, &SessionBridge::progressChanged, this,
            [this](const events::ProgressChanged &event) { updateProgress(event.progress); });
    connect(&m_bridge, &SessionBridge::checksEvaluated, this,
            [this](const events::ChecksEvaluated &event) {
                m_results[event.step] = event.results;
                if (event.step == m_checking) {
                    checkDone();
                }
                if (event.step == m_viewed) {
                    rebuildChecklist();
                }
            });
    connect(&m_bridge, &SessionBridge::hintReleased, this,
            [this](const events::HintReleased &event) {
                m_hintTexts[event.step][event.rung] = QString::fromStdString(event.markdown);
                if (event.step == m_viewed) {
                    rebuildHints();
                    updateButtons();
                }
            });
    connect(&m_bridge, &SessionBridge::solutionShown, this,
            [this](const events::SolutionShown &event) {
                QStringList lines;
                for (const std::string &line : event.lines) {
                    lines.append(QString::fromStdString(line));
                }
                m_solutions[event.step] = lines;
                if (event.step == m_viewed) {
                    rebuildSolution();
                }
            });
    connect(&m_bridge, &SessionBridge::noteShown, this, [this](const events::Note &event) {
        const QString markdown = QString::fromStdString(event.markdown);
        if (m_definition && event.step >= 1
            && event.step <= static_cast<int>(m_definition->steps.size())) {
            for (const auto &[path, text] :
                 m_definition->steps[static_cast<std::size_t>(event.step - 1)].notes) {
                if (text == event.markdown) {
                    return; // the step's own note, always shown with it
                }
            }
        }
        QStringList &notes = m_runtimeNotes[event.step];
        if (!notes.contains(markdown)) {
            notes.append(markdown);
            if (event.step == m_viewed) {
                rebuildPage();
            }
        }
    });
    connect(&m_bridge, &SessionBridge::worldRebuilt, this,
            [this](const events::WorldRebuilt &event) {
                m_checking = 0;
                m_checkTimeout.stop();
                m_steps->setSteps(m_bridge.steps());
                for (auto it = m_results.begin(); it != m_results.end();) {
                    it = it.key() >= event.atStep ? m_results.erase(it) : std::next(it);
                }
                m_finished = m_bridge.progress().finished;
                viewStep(event.atStep);
            });
}

GuidePanel::~GuidePanel() = default;

void GuidePanel::showProblem(const QString &markdown)
{
    m_labTitle->setText(tr("No lab open"));
    m_stack->setCurrentWidget(m_finish);
    m_finish->setMarkdown(markdown);
    updateButtons();
}

void GuidePanel::onLabOpened()
{
    m_definition = m_bridge.definition();
    if (!m_definition) {
        return;
    }
    m_labTitle->setText(QString::fromStdString(m_definition->title));
    m_labTitle->setToolTip(QString::fromStdString(m_definition->summary));
    m_steps->setSteps(m_bridge.steps());
    for (const core::lab::StepStatus &status : m_bridge.steps()) {
        const std::vector<core::lab::CheckResult> results = m_bridge.lastResults(status.index);
        if (!results.empty()) {
            m_results[status.index] = results;
        }
    }
    const core::lab::Progress progress = m_bridge.progress();
    updateProgress(progress);
    const int start = m_initialStep >= 1 && m_initialStep <= m_steps->stepCount()
                          ? m_initialStep
                          : progress.currentStep;
    m_initialStep = 0;
    viewStep(start);
}

void GuidePanel::updateProgress(const core::lab::Progress &progress)
{
    m_progress->setValue(progress.percent);
    m_progress->setFormat(tr("%1% complete (%2 of %3 steps)")
                              .arg(progress.percent)
                              .arg(progress.stepsPassed)
                              .arg(progress.stepCount));
    const bool wasFinished = m_finished;
    m_finished = progress.finished;
    if (m_finished && !wasFinished && m_viewed == progress.stepCount) {
        showFinish();
    }
    updateButtons();
}

const core::lab::StepDef *GuidePanel::viewedDef() const
{
    if (!m_definition || m_viewed < 1 || m_viewed > static_cast<int>(m_definition->steps.size())) {
        return nullptr;
    }
    return &m_definition->steps[static_cast<std::size_t>(m_viewed - 1)];
}

QString GuidePanel::expand(const std::string &text) const
{
    QString out = QString::fromStdString(text);
    if (!m_definition) {
        return out;
    }
    // Only the lab's own variables: a pod's shell knows none of them, the host's knows its env.
    for (const auto &[name, value] : m_definition->world.variables) {
        out.replace(QStringLiteral("${%1}").arg(QString::fromStdString(name)),
                    QString::fromStdString(value));
    }
    return out;
}

void GuidePanel::viewStep(int step)
{
    if (!m_definition) {
        return;
    }
    const int count = static_cast<int>(m_definition->steps.size());
    if (step == count + 1 && m_finished) {
        showFinish();
        return;
    }
    step = qBound(1, step, count);
    const bool changed = step != m_viewed;
    m_viewed = step;
    m_stack->setCurrentWidget(m_scroll);
    m_stepList->setCurrentIndex(m_steps->index(step - 1));
    rebuildPage();
    if (changed) {
        m_scroll->verticalScrollBar()->setValue(0);
        emit viewedStepChanged(step);
    }
}

void GuidePanel::showFinish()
{
    if (!m_definition) {
        return;
    }
    m_finish->setMarkdown(QString::fromStdString(m_definition->finishText));
    m_stack->setCurrentWidget(m_finish);
    m_viewed = static_cast<int>(m_definition->steps.size()) + 1;
    m_stepList->clearSelection();
    updateButtons();
}

bool GuidePanel::finishShown() const
{
    return m_stack->currentWidget() == m_finish;
}

QWidget *GuidePanel::noteFrame(const QString &markdown, QWidget *parent) const
{
    const theme::Colors colors = theme::colors(m_dark);
    auto *frame = new QFrame(parent);
    frame->setObjectName(QStringLiteral("simulatorNote"));
    frame->setFrameShape(QFrame::StyledPanel);
    // A tinted panel with a thick left rule: apart from the lab text, in either theme.
    frame->setStyleSheet(QStringLiteral("#simulatorNote { background: %1; border: 1px solid %2; "
                                        "border-left: 4px solid %2; border-radius: 3px; }")
                             .arg(colors.noteBackground.name(), colors.noteBorder.name()));
    auto *layout = new QVBoxLayout(frame);
    auto *titleRow = new QHBoxLayout;
    auto *icon = new QLabel(frame);
    const int iconSize = fontMetrics().height();
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(iconSize));
    auto *title = heading(tr("Simulator note"), frame);
    titleRow->addWidget(icon);
    titleRow->addWidget(title, 1);
    auto *body = new QLabel(frame);
    body->setTextFormat(Qt::MarkdownText);
    body->setText(markdown);
    body->setWordWrap(true);
    body->setTextInteractionFlags(Qt::TextBrowserInteraction);
    body->setOpenExternalLinks(true);
    QPalette ink = body->palette();
    ink.setColor(QPalette::WindowText, m_dark ? QColor(0xf0, 0xe6, 0xc8) : QColor(0x3d, 0x2e, 0x00));
    body->setPalette(ink);
    title->setPalette(ink);
    layout->addLayout(titleRow);
    layout->addWidget(body);
    return frame;
}

QWidget *GuidePanel::commandRow(const QString &command, const QString &inPod, int index,
                                QWidget *parent)
{
    const theme::Colors colors = theme::colors(m_dark);
    auto *row = new QFrame(parent);
    row->setObjectName(QStringLiteral("commandBlock"));
    row->setStyleSheet(QStringLiteral("#commandBlock { background: %1; border-radius: 3px; }")
                           .arg(colors.codeBackground.name()));
    auto *layout = new QVBoxLayout(row);
    if (!inPod.isEmpty()) {
        // Its own line: beside the buttons it would make the guide wider than a small screen's.
        auto *where = new QLabel(tr("In the %1 pod's shell:").arg(inPod), row);
        where->setObjectName(QStringLiteral("inPod"));
        QFont small = where->font();
        small.setItalic(true);
        where->setFont(small);
        where->setWordWrap(true);
        ignoreWidth(where);
        layout->addWidget(where);
    }
    auto *text = new QLabel(command, row);
    text->setObjectName(QStringLiteral("commandText"));
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setWordWrap(true);
    text->setTextFormat(Qt::PlainText);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ignoreWidth(text);
    text->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(text);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    auto *run = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run"), row);
    run->setObjectName(QStringLiteral("run:%1").arg(index));
    run->setToolTip(inPod.isEmpty() ? tr("Type this into the terminal and run it")
                                    : tr("Type this into the terminal; it is meant for the %1 "
                                         "pod's shell (kubectl exec)")
                                          .arg(inPod));
    auto *copy = new QPushButton(tr("Copy"), row);
    copy->setObjectName(QStringLiteral("copy:%1").arg(index));
    copy->setToolTip(tr("Copy to the clipboard"));
    buttons->addWidget(run);
    buttons->addWidget(copy);
    layout->addLayout(buttons);
    connect(run, &QPushButton::clicked, this, [this, command, index] {
        m_nextCommand[m_viewed] = index + 1;
        emit runRequested(command);
    });
    connect(copy, &QPushButton::clicked, this,
            [command] { QGuiApplication::clipboard()->setText(command); });
    return row;
}

void GuidePanel::rebuildPage()
{
    const core::lab::StepDef *def = viewedDef();
    if (def == nullptr) {
        return;
    }
    m_stepTitle->setText(tr("Step %1 of %2: %3")
                             .arg(m_viewed)
                             .arg(m_definition->steps.size())
                             .arg(QString::fromStdString(def->title)));
    // The title is shown above; the text's own top heading would repeat it in a huge font.
    static const QRegularExpression topHeading(QStringLiteral("^\\s*# [^\\n]*\\n"));
    m_text->setMarkdown(expand(def->text).remove(topHeading));
    // Markdown code blocks do not wrap by default; in a narrow guide they must.
    for (QTextBlock block = m_text->document()->begin(); block.isValid(); block = block.next()) {
        if (block.blockFormat().nonBreakableLines()) {
            QTextCursor cursor(block);
            QTextBlockFormat format = block.blockFormat();
            format.setNonBreakableLines(false);
            cursor.setBlockFormat(format);
        }
    }

    clearLayout(m_notesBox);
    for (const auto &[path, markdown] : def->notes) {
        m_notesBox->addWidget(noteFrame(expand(markdown), m_page));
    }
    for (const QString &markdown : m_runtimeNotes.value(m_viewed)) {
        m_notesBox->addWidget(noteFrame(markdown, m_page));
    }

    clearLayout(m_commandsBox);
    m_commands.clear();
    int index = 0;
    for (const core::lab::StepCommand &command : def->commands) {
        const QString line = expand(command.run);
        m_commands.append(line);
        m_commandsBox->addWidget(commandRow(
            line, command.inPod ? QString::fromStdString(*command.inPod) : QString(), index++,
            m_page));
    }
    m_commandsHeading->setVisible(!m_commands.isEmpty());

    rebuildChecklist();
    rebuildHints();
    const core::lab::StepStatus *status = m_steps->step(m_viewed);
    if (status != nullptr && status->solutionShown && !m_solutions.contains(m_viewed)) {
        m_bridge.showSolution(m_viewed); // shown before a restart: ask for it again
    }
    rebuildSolution();
    updateButtons();
}

void GuidePanel::rebuildChecklist()
{
    clearLayout(m_checklistBox);
    m_checklistLines.clear();
    const auto found = m_results.constFind(m_viewed);
    if (found == m_results.constEnd() || found->empty()) {
        return;
    }
    const theme::Colors colors = theme::colors(m_dark);
    m_checklistBox->addWidget(heading(tr("Check results"), m_page));
    const int iconSize = fontMetrics().height();
    for (const core::lab::CheckResult &result : *found) {
        auto *row = new QWidget(m_page);
        row->setObjectName(result.passed ? QStringLiteral("checkPassed")
                                         : QStringLiteral("checkFailed"));
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *icon = new QLabel(row);
        icon->setPixmap(StepListModel::stateIcon(result.passed ? StepState::Passed
                                                               : StepState::Failed,
                                                 m_dark)
                            .pixmap(iconSize, iconSize));
        icon->setAccessibleName(result.passed ? tr("passed") : tr("failed"));
        const QString sentence = result.passed
                                     ? tr("%1: passed.").arg(humanize(result.name))
                                     : QString::fromStdString(result.sentence);
        auto *text = new QLabel(row);
        text->setWordWrap(true);
        text->setTextFormat(Qt::RichText);
        QString html = QStringLiteral("<b style=\"color:%1\">%2</b> %3")
                           .arg((result.passed ? colors.passed : colors.failed).name(),
                                result.passed ? tr("Passed") : tr("Failed"),
                                sentence.toHtmlEscaped());
        if (!result.detail.empty()) {
            html += QStringLiteral("<br><small>%1</small>")
                        .arg(QString::fromStdString(result.detail).toHtmlEscaped());
        }
        text->setText(html);
        text->setTextInteractionFlags(Qt::TextSelectableByMouse);
        ignoreWidth(text);
        text->setAlignment(Qt::AlignLeft | Qt::AlignTop);
        layout->addWidget(icon, 0, Qt::AlignTop);
        layout->addWidget(text, 1, Qt::AlignTop);
        m_checklistBox->addWidget(row);
        m_checklistLines.append((result.passed ? QStringLiteral("passed: ")
                                               : QStringLiteral("failed: "))
                                + sentence);
    }
}

QStringList GuidePanel::hints() const
{
    QStringList out;
    const core::lab::StepDef *def = viewedDef();
    const core::lab::StepStatus *status = m_steps->step(m_viewed);
    if (def == nullptr || status == nullptr) {
        return out;
    }
    const QMap<int, QString> texts = m_hintTexts.value(m_viewed);
    const int shown = qMax(status->hintsShown, texts.isEmpty() ? 0 : texts.lastKey());
    for (int rung = 1; rung <= shown && rung <= static_cast<int>(def->hints.size()); ++rung) {
        out.append(texts.contains(rung)
                       ? texts.value(rung)
                       : expand(def->hints[static_cast<std::size_t>(rung - 1)].text));
    }
    return out;
}

void GuidePanel::rebuildHints()
{
    clearLayout(m_hintsBox);
    const QStringList texts = hints();
    int rung = 0;
    for (const QString &markdown : texts) {
        auto *label = new QLabel(m_page);
        label->setObjectName(QStringLiteral("hint"));
        label->setTextFormat(Qt::MarkdownText);
        label->setText(tr("**Hint %1.** %2").arg(++rung).arg(markdown));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextBrowserInteraction);
        ignoreWidth(label);
        m_hintsBox->addWidget(label);
    }
}

QStringList GuidePanel::solutionLines() const
{
    return m_solutions.value(m_viewed);
}

QStringList GuidePanel::notes() const
{
    QStringList out;
    if (const core::lab::StepDef *def = viewedDef()) {
        for (const auto &[path, markdown] : def->notes) {
            out.append(expand(markdown));
        }
    }
    out.append(m_runtimeNotes.value(m_viewed));
    return out;
}

QStringList GuidePanel::commands() const
{
    return m_commands;
}

void GuidePanel::rebuildSolution()
{
    clearLayout(m_solutionBox);
    const QStringList lines = m_solutions.value(m_viewed);
    if (lines.isEmpty()) {
        return;
    }
    m_solutionBox->addWidget(heading(tr("Solution"), m_page));
    int index = 100; // apart from the step's own command indexes
    for (const QString &line : lines) {
        if (line.startsWith(QStringLiteral("edit "))) {
            auto *label = new QLabel(line, m_page);
            label->setWordWrap(true);
            label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            label->setTextInteractionFlags(Qt::TextSelectableByMouse);
            ignoreWidth(label);
            m_solutionBox->addWidget(label);
        } else {
            m_solutionBox->addWidget(commandRow(line, QString(), index++, m_page));
        }
    }
}

void GuidePanel::updateButtons()
{
    const core::lab::StepStatus *status = m_steps->step(m_viewed);
    const bool onStep = status != nullptr && !finishShown();
    const int current = m_bridge.progress().currentStep;
    m_checkButton->setEnabled(onStep && m_checking == 0);
    m_checkButton->setText(m_checking == m_viewed ? tr("Checking…") : tr("&Check"));
    m_solutionButton->setEnabled(onStep);
    m_resetButton->setEnabled(onStep);
    m_jumpButton->setVisible(onStep && m_viewed != current);
    const int available = status != nullptr ? status->hintsReleased - status->hintsShown : 0;
    m_hintButton->setEnabled(onStep && available > 0);
    m_hintButton->setText(available > 0 ? tr("&Hint (%1 more)").arg(available) : tr("&Hint"));
    m_hintButton->setToolTip(available > 0 ? tr("Show the next hint")
                                           : tr("More hints open up after a failed Check"));
    if (status != nullptr) {
        m_stepState->setText(
            tr("%1 · %2").arg(StepListModel::stateText(status->state),
                              m_viewed == current ? tr("the step you are on")
                                                  : tr("step %1 is the one you are on")
                                                        .arg(current)));
    }
    const int count = m_steps->stepCount();
    m_previousButton->setEnabled(m_viewed > 1);
    m_nextButton->setEnabled(m_viewed < count || (m_viewed == count && m_finished));
    m_nextButton->setText(m_viewed == count && m_finished ? tr("&Finish") : tr("&Next"));
    m_nextButton->setDefault(status != nullptr && status->state == StepState::Passed);
}

void GuidePanel::setDark(bool dark)
{
    if (dark == m_dark) {
        return;
    }
    m_dark = dark;
    m_steps->setDark(dark);
    if (viewedDef() != nullptr) {
        rebuildPage();
    }
}

bool GuidePanel::confirm(const QString &question)
{
    if (!m_confirmResets) {
        return true;
    }
    return QMessageBox::question(this, tr("Meshcraft"), question) == QMessageBox::Yes;
}

void GuidePanel::runNextCommand()
{
    if (m_commands.isEmpty()) {
        return;
    }
    const int index = m_nextCommand.value(m_viewed, 0) % static_cast<int>(m_commands.size());
    m_nextCommand[m_viewed] = index + 1;
    emit runRequested(m_commands.at(index));
}

void GuidePanel::check()
{
    if (viewedDef() == nullptr || finishShown() || m_checking != 0) {
        return;
    }
    // A check may run a probe that waits on a timeout: say so until the result is in.
    m_checking = m_viewed;
    m_checkTimeout.start();
    m_bridge.checkStep(m_viewed);
    updateButtons();
}

void GuidePanel::checkDone()
{
    m_checking = 0;
    m_checkTimeout.stop();
    updateButtons();
}

void GuidePanel::nextStep()
{
    viewStep(m_viewed + 1);
}

void GuidePanel::previousStep()
{
    if (finishShown()) {
        viewStep(m_steps->stepCount());
        return;
    }
    viewStep(m_viewed - 1);
}

void GuidePanel::requestHint()
{
    if (viewedDef() != nullptr) {
        m_bridge.nextHint(m_viewed);
    }
}

void GuidePanel::showSolution()
{
    if (viewedDef() != nullptr) {
        m_bridge.showSolution(m_viewed);
    }
}

void GuidePanel::resetStep()
{
    if (viewedDef() == nullptr) {
        return;
    }
    if (confirm(tr("Reset step %1? The lab is set up as it was when this step began; this step "
                   "and the ones after it lose their results.")
                    .arg(m_viewed))) {
        m_bridge.resetStep(m_viewed);
    }
}

void GuidePanel::jumpToViewedStep()
{
    if (viewedDef() == nullptr) {
        return;
    }
    if (confirm(tr("Jump to step %1? The lab is rebuilt and the solutions of the steps before "
                   "it are run for you.")
                    .arg(m_viewed))) {
        m_bridge.jumpToStep(m_viewed);
    }
}

} // namespace meshcraft::app

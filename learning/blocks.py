"""StreamField blocks of a lesson: each StructBlock has an icon, a template and a preview."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=120)

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "learning/blocks/heading.html"
        preview_value = {"text": "一、“案-件比”的含义"}
        description = _("A section heading inside the lesson.")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "learning/blocks/image.html"
        preview_value = {"caption": "图示"}
        description = _("A picture with an optional caption.")


class VideoBlock(blocks.StructBlock):
    """A video played by the browser itself: an uploaded file or an intranet address."""

    document = DocumentChooserBlock(
        label=_("uploaded video file"),
        required=False,
        help_text=_("An MP4 or WebM file uploaded to the document library."),
    )
    url = blocks.CharBlock(
        label=_("internal video address"),
        required=False,
        max_length=300,
        help_text=_("An address on the intranet, e.g. /media/videos/lesson1.mp4."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "learning/blocks/video.html"
        preview_value = {"caption": "教学视频"}
        description = _("An HTML5 video from an uploaded file or an intranet address.")

    def clean(self, value):
        value = super().clean(value)
        url = (value.get("url") or "").strip()
        if not value.get("document") and not url:
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _("Choose an uploaded file or enter an internal address.")
                    )
                }
            )
        if url and not url.lower().startswith(("/", "http://", "https://")):
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _("Enter an address starting with /, http:// or https://.")
                    )
                }
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document download")
        template = "learning/blocks/document.html"
        preview_value = {"title": "学习资料"}
        description = _("A file learners can download.")


class KeyPointBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("title"), required=False, max_length=120, default="要点"
    )
    text = blocks.RichTextBlock(
        label=_("text"), features=["bold", "italic", "ol", "ul", "link"]
    )

    class Meta:
        icon = "pick"
        label = _("Key point")
        template = "learning/blocks/key_point.html"
        preview_value = {
            "title": "要点",
            "text": "<p>“案-件比”越接近1:1，说明办案质效越高。</p>",
        }
        description = _("A highlighted box with what to remember.")


class ProvisionBlock(blocks.StructBlock):
    statute = blocks.CharBlock(label=_("statute"), max_length=120)
    article = blocks.CharBlock(label=_("article"), max_length=60, required=False)
    text = blocks.TextBlock(label=_("provision text"))

    class Meta:
        icon = "openquote"
        label = _("Legal provision")
        template = "learning/blocks/provision.html"
        preview_value = {
            "statute": "中华人民共和国刑事诉讼法",
            "article": "第十五条",
            "text": "犯罪嫌疑人、被告人自愿如实供述自己的罪行，承认指控的犯罪事实，"
            "愿意接受处罚的，可以依法从宽处理。",
        }
        description = _("A quotation of a statute: its name, article and text.")


class IndicatorCardBlock(blocks.StructBlock):
    indicator = SnippetChooserBlock("organisation.Indicator", label=_("indicator"))
    note = blocks.TextBlock(label=_("note"), required=False)

    class Meta:
        icon = "table"
        label = _("Indicator card")
        template = "learning/blocks/indicator_card.html"
        description = _(
            "Shows an indicator's definition, formula and direction from the catalogue."
        )


class CalculationStepBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("step"), max_length=120)
    expression = blocks.CharBlock(label=_("calculation"), max_length=200)


class WorkedExampleBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    problem = blocks.TextBlock(label=_("problem"))
    steps = blocks.ListBlock(CalculationStepBlock(), label=_("steps"))
    answer = blocks.CharBlock(label=_("answer"), max_length=120)

    class Meta:
        icon = "list-ol"
        label = _("Worked calculation")
        template = "learning/blocks/worked_example.html"
        preview_value = {
            "title": "计算“案-件比”",
            "problem": "受理审查逮捕400件、审查起诉700件，其中捕后移送起诉300件……",
            "steps": [
                {"label": "案", "expression": "400 + 700 − 300 = 800"},
                {"label": "件", "expression": "800 + 250 = 1050"},
            ],
            "answer": "1:1.31",
        }
        description = _("A calculation worked step by step.")


class EmbeddedQuizBlock(blocks.StructBlock):
    quiz = SnippetChooserBlock("assessments.Quiz", label=_("quiz"))
    required_to_pass = blocks.BooleanBlock(
        label=_("required to pass"),
        required=False,
        default=True,
        help_text=_(
            "The lesson is complete only when the learner has passed this quiz."
        ),
    )

    class Meta:
        icon = "help"
        label = _("Embedded quiz")
        template = "learning/blocks/embedded_quiz.html"
        description = _("A quiz learners take from inside the lesson.")


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        icon="pilcrow",
        label=_("Rich text"),
        template="learning/blocks/paragraph.html",
        features=["h3", "h4", "bold", "italic", "ol", "ul", "link", "hr"],
        preview_value="<p>正文段落</p>",
        description=_("Paragraphs of text."),
    )
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    key_point = KeyPointBlock()
    provision = ProvisionBlock()
    indicator_card = IndicatorCardBlock()
    worked_example = WorkedExampleBlock()
    quiz = EmbeddedQuizBlock()

    class Meta:
        block_counts = {"quiz": {"max_num": 1}}

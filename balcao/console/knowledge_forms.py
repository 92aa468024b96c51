"""Forms of the console's knowledge-base pages (balcao/console/knowledge_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from balcao.catalog.models import Service
from balcao.kb.models import LANGUAGES, Article


class LinesField(forms.CharField):
    """One item per line (variants) or separated by commas (tags)."""

    def __init__(self, *args, separator="\n", **kwargs):
        self.separator = separator
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return (self.separator if self.separator == "\n" else ", ").join(value)
        return value

    def clean(self, value):
        value = super().clean(value) or ""
        return [item.strip() for item in value.split(self.separator) if item.strip()]


class ArticleForm(forms.Form):
    slug = forms.SlugField(label=_("Identificador"), max_length=120)
    language = forms.ChoiceField(label=_("Idioma"), choices=LANGUAGES)
    question = forms.CharField(label=_("Pergunta"), max_length=300)
    answer = forms.CharField(label=_("Resposta"), widget=forms.Textarea(attrs={"rows": 8}))
    variants = LinesField(
        label=_("Outras formas de perguntar (uma por linha)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = LinesField(label=_("Etiquetas (separadas por vírgula)"), separator=",")
    service = forms.ModelChoiceField(
        label=_("Serviço"), queryset=Service.objects.all(), required=False
    )

    def __init__(self, *args, article: Article | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        if article is not None and article.pk:
            self.fields["slug"].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        others = Article.objects.filter(slug=slug)
        if self.article is not None and self.article.pk:
            others = others.exclude(pk=self.article.pk)
        if others.exists():
            raise forms.ValidationError(_("Já existe um artigo com este identificador."))
        return slug


class ResolveGapForm(forms.Form):
    variant = forms.CharField(
        label=_("Variante (só a pergunta, sem a história da pessoa)"),
        required=False,
        max_length=300,
    )
    add_variant_to = forms.ModelChoiceField(
        label=_("Adicionar como variante de"),
        required=False,
        queryset=Article.objects.exclude(state=Article.State.ARCHIVED).order_by("question"),
    )
    new_question = forms.CharField(
        label=_("ou criar artigo: pergunta"), required=False, max_length=300
    )
    new_answer = forms.CharField(
        label=_("Resposta"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publish = forms.BooleanField(label=_("Publicar já"), required=False)

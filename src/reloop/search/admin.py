from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from reloop.search.models import SearchDocument, Synonym
from reloop.search.services import delete_synonym, save_synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Operator-edited synonyms; saved through the service (normalized, search pages refreshed on commit)."""

    list_display = ["term", "expansion", "updated_at", "updated_by"]
    search_fields = ["term", "expansion"]
    fields = ["term", "expansion"]

    def save_model(self, request: HttpRequest, obj: Synonym, form: Any, change: bool) -> None:
        if change and obj.pk:
            old = Synonym.objects.get(pk=obj.pk)
            if old.term != obj.term:
                delete_synonym(actor=request.user, synonym_id=obj.pk)  # type: ignore[arg-type]
        saved = save_synonym(actor=request.user, term=obj.term, expansion=obj.expansion)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        delete_synonym(actor=request.user, synonym_id=obj.pk)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Synonym]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            delete_synonym(actor=request.user, synonym_id=pk)  # type: ignore[arg-type]


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """Derived data (``reloop rebuild_search_index``): read-only."""

    list_display = ["product_model", "title", "indexed_at"]
    search_fields = ["title", "keywords"]
    readonly_fields = ["product_model", "title", "keywords", "title_length", "indexed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

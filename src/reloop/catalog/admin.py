from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from reloop.catalog.images import ImageRefused, open_upload
from reloop.catalog.models import Brand, Category, ProductImage, ProductModel, ReferencePrice, Variant
from reloop.catalog.services import add_product_image


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "position", "battery_min_health"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0
    fields = ["slug", "storage_gb", "colour", "options", "ean"]


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "release_date", "featured"]
    list_filter = ["category", "brand", "featured"]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "brand__name"]
    inlines = [VariantInline]


@admin.register(ReferencePrice)
class ReferencePriceAdmin(admin.ModelAdmin):
    list_display = ["variant", "market", "amount", "currency", "observed_on"]
    list_filter = ["market"]
    raw_id_fields = ["variant"]


class ProductImageForm(forms.ModelForm):
    upload = forms.FileField(help_text="JPEG, PNG or WebP, at most 8 MB; stored as responsive WebP and JPEG")

    class Meta:
        model = ProductImage
        fields = ["product_model", "colour", "alt", "is_illustration"]

    def clean_upload(self) -> bytes:
        data = self.cleaned_data["upload"].read()
        try:
            open_upload(data)
        except ImageRefused as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    """Pictures per model and colour; uploads go through catalog.services.add_product_image."""

    list_display = ["product_model", "colour", "position", "is_illustration", "width", "height"]
    list_filter = ["is_illustration"]
    raw_id_fields = ["product_model"]
    form = ProductImageForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:  # an existing picture: edit its words, not its file
            kwargs["form"] = forms.modelform_factory(
                ProductImage, fields=["colour", "alt", "position", "is_illustration"]
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: ProductImage, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = add_product_image(
            actor=request.user,
            product_model_id=obj.product_model_id,
            data=form.cleaned_data["upload"],
            alt=obj.alt,
            colour=obj.colour,
            is_illustration=obj.is_illustration,
        )
        obj.pk = created.pk

from django.contrib import admin

from reloop.catalog.models import Brand, Category, ProductModel, ReferencePrice, Variant


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

from django.contrib import admin

from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint


@admin.register(ImpactSource)
class ImpactSourceAdmin(admin.ModelAdmin):
    list_display = ["publisher", "title", "published_on", "licence"]


@admin.register(CategoryFootprint)
class CategoryFootprintAdmin(admin.ModelAdmin):
    list_display = ["category", "new_kgco2e", "manufacturing_share", "refurbishing_kgco2e"]


@admin.register(ModelFootprint)
class ModelFootprintAdmin(admin.ModelAdmin):
    list_display = ["product_model", "total_kgco2e", "manufacturing_share", "report_date"]
    raw_id_fields = ["product_model"]

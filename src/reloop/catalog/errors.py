from reloop.core.errors import NotFound


class CategoryNotFound(NotFound):
    code = "category_not_found"


class ProductNotFound(NotFound):
    code = "product_not_found"

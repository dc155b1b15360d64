from reloop.core.errors import NotFound


class SellerTokenNotFound(NotFound):
    code = "seller_token_not_found"

// Stripe's own card fields (Stripe.js Elements): the card goes from this browser to Stripe, never to Reloop.
// confirmCardPayment runs the 3-D Secure challenge when the bank asks for one. A declined card or a failed
// challenge leaves the PaymentIntent waiting for another card: the page says so and the buyer tries again here,
// while the shop still holds the order. Only an authorized (or captured) payment sends the buyer back to the shop.
(function () {
  const form = document.getElementById("payment-form");
  const errors = document.getElementById("card-errors");
  const button = form.querySelector("button[type=submit]");
  // Stripe.js words its card fields and its decline messages in the buyer's language, as the page around them
  const stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const paid = ["requires_capture", "succeeded", "processing"];
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    try {
      const result = await stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } });
      const intent = result.paymentIntent || (result.error && result.error.payment_intent) || {};
      if (!result.error && paid.includes(intent.status)) {
        window.location = form.dataset.returnUrl;
        return;
      }
      const reason = (result.error && result.error.message) || form.dataset.declined;
      errors.textContent = reason + " " + form.dataset.retry;
    } catch (failure) {
      errors.textContent = form.dataset.declined + " " + form.dataset.retry;
    } finally {
      button.disabled = false;
    }
  });
})();

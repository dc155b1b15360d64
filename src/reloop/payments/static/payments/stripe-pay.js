// Stripe's own card fields (Stripe.js Elements): the card goes from this browser to Stripe, never to Reloop.
(function () {
  const form = document.getElementById("payment-form");
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await stripe.confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } });
    if (result.error) {
      document.getElementById("card-errors").textContent = result.error.message;
      return;
    }
    window.location = form.dataset.returnUrl;
  });
})();

-- A small catalogue for the engine's tests.
return {
  offers = {
    { id = "a", name = "Offer A", value = 10, channels = { "email", "push" } },
    { id = "b", name = "Offer B", value = 30 },
    { id = "c", name = "Offer C", value = 20, channel = "sms" },
    { id = "d", name = "Offer D", value = 30 },
    { id = "off", name = "Paused", value = 99, active = false },
  },
}

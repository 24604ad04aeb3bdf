"""Innkeeper notifier: turns delivery events into mails and signed webhooks, once per event and channel."""

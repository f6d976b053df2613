<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

/**
 * What the guard knows of one order placement. $cardPrefix (at most 8 digits) is matched against BIN rules
 * and never stored or logged.
 */
final class Attempt
{
    public function __construct(
        public readonly string $channel,
        public readonly ?string $ip,
        public readonly ?string $email,
        public readonly ?int $customerId,
        public readonly ?int $quoteId,
        public readonly ?string $method,
        public readonly ?string $cardPrefix = null
    ) {
    }

    /**
     * The value a velocity rule counts by, or null when the attempt has none (a guest has no customer id).
     */
    public function subject(string $subject): string|int|null
    {
        return match ($subject) {
            'ip' => $this->ip,
            'email' => $this->email,
            'customer' => $this->customerId,
            'quote' => $this->quoteId,
            default => null,
        };
    }

    /**
     * The first digits of a card number (up to 8), from whatever the payment method exposed; null if none.
     */
    public static function cardPrefix(mixed $number): ?string
    {
        if (!is_string($number) && !is_int($number)) {
            return null;
        }
        $digits = preg_replace('/[\s-]/', '', (string) $number);
        if (!is_string($digits) || preg_match('/^\d{6,19}$/', $digits) !== 1) {
            return null;
        }
        return substr($digits, 0, 8);
    }
}

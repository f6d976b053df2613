<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Model\Guard;

/**
 * IPv4 / IPv6 addresses and CIDR ranges, compared as packed bytes (an IPv4-mapped IPv6 address is IPv4).
 */
final class IpRange
{
    /**
     * The canonical form of an address or CIDR ("192.0.2.0/24", "2001:db8::/32"), or null if it is neither.
     * A CIDR's host bits are cleared, so "192.0.2.7/24" is stored as "192.0.2.0/24".
     */
    public static function normalize(string $value): ?string
    {
        $value = trim($value);
        $prefix = null;
        if (str_contains($value, '/')) {
            [$value, $bits] = explode('/', $value, 2);
            if (!ctype_digit($bits)) {
                return null;
            }
            $prefix = (int) $bits;
        }
        $packed = self::pack($value);
        if ($packed === null) {
            return null;
        }
        $max = strlen($packed) * 8;
        if ($prefix === null || $prefix === $max) {
            return (string) inet_ntop($packed);
        }
        if ($prefix > $max) {
            return null;
        }
        return inet_ntop(self::mask($packed, $prefix)) . '/' . $prefix;
    }

    /**
     * Whether $ip is $range (an address) or inside it (a CIDR); false for anything unparsable.
     */
    public static function contains(string $range, string $ip): bool
    {
        $address = self::pack($ip);
        if ($address === null) {
            return false;
        }
        $bits = null;
        if (str_contains($range, '/')) {
            [$range, $prefix] = explode('/', $range, 2);
            $bits = (int) $prefix;
        }
        $network = self::pack($range);
        if ($network === null || strlen($network) !== strlen($address)) {
            return false;
        }
        if ($bits === null) {
            return $network === $address;
        }
        return self::mask($address, $bits) === self::mask($network, $bits);
    }

    private static function pack(string $ip): ?string
    {
        if (filter_var($ip, FILTER_VALIDATE_IP) === false) {
            return null;
        }
        $packed = (string) inet_pton($ip);
        // ::ffff:192.0.2.1 is how a dual-stack server may report an IPv4 client.
        if (strlen($packed) === 16 && str_starts_with($packed, str_repeat("\0", 10) . "\xff\xff")) {
            return substr($packed, 12);
        }
        return $packed;
    }

    private static function mask(string $packed, int $bits): string
    {
        $out = '';
        foreach (str_split($packed) as $index => $byte) {
            $keep = max(0, min(8, $bits - $index * 8));
            $out .= chr(ord($byte) & ((0xff << (8 - $keep)) & 0xff));
        }
        return $out;
    }
}

<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Guard;

use MagentoIr\IncidentResponse\Model\Guard\IpRange;
use PHPUnit\Framework\TestCase;

final class IpRangeTest extends TestCase
{
    /**
     * @return array<string, array{0: string, 1: ?string}>
     */
    public static function normalForms(): array
    {
        return [
            'v4 address' => [' 192.0.2.7 ', '192.0.2.7'],
            'v4 cidr, host bits cleared' => ['192.0.2.7/24', '192.0.2.0/24'],
            'v4 /32 is the address' => ['192.0.2.7/32', '192.0.2.7'],
            'v6 compressed' => ['2001:0DB8:0000::1', '2001:db8::1'],
            'v6 cidr' => ['2001:db8:abcd::5/48', '2001:db8:abcd::/48'],
            'odd prefix' => ['10.1.2.3/9', '10.0.0.0/9'],
            'prefix too long' => ['192.0.2.1/33', null],
            'not a prefix' => ['192.0.2.1/x', null],
            'not an address' => ['example.com', null],
            'empty' => ['', null],
        ];
    }

    /**
     * @dataProvider normalForms
     */
    public function testNormalizeAcceptsAddressesAndCidrsOnly(string $input, ?string $expected): void
    {
        self::assertSame($expected, IpRange::normalize($input));
    }

    /**
     * @return array<string, array{0: string, 1: string, 2: bool}>
     */
    public static function memberships(): array
    {
        return [
            'same v4' => ['192.0.2.7', '192.0.2.7', true],
            'other v4' => ['192.0.2.7', '192.0.2.8', false],
            'in v4 /24' => ['192.0.2.0/24', '192.0.2.200', true],
            'outside v4 /24' => ['192.0.2.0/24', '192.0.3.1', false],
            'in v4 /9' => ['10.0.0.0/9', '10.127.255.255', true],
            'outside v4 /9' => ['10.0.0.0/9', '10.128.0.0', false],
            'in v6 /48' => ['2001:db8:abcd::/48', '2001:db8:abcd:12::9', true],
            'outside v6 /48' => ['2001:db8:abcd::/48', '2001:db8:abce::1', false],
            'v4-mapped v6 client' => ['192.0.2.0/24', '::ffff:192.0.2.9', true],
            'v4 rule, v6 client' => ['192.0.2.0/24', '2001:db8::1', false],
            'garbage client' => ['192.0.2.0/24', 'unknown', false],
            '/0 holds every v4' => ['0.0.0.0/0', '203.0.113.5', true],
        ];
    }

    /**
     * @dataProvider memberships
     */
    public function testContains(string $range, string $ip, bool $expected): void
    {
        self::assertSame($expected, IpRange::contains($range, $ip));
    }
}

<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Plugin\Quote\Api;

use Magento\Framework\App\State;
use Magento\Framework\HTTP\PhpEnvironment\RemoteAddress;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Quote\Api\Data\PaymentInterface;
use MagentoIr\IncidentResponse\Model\Guard\AttemptReader;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;
use MagentoIr\IncidentResponse\Model\Guard\OrderBlockedException;
use MagentoIr\IncidentResponse\Model\Guard\PaymentGuard;
use MagentoIr\IncidentResponse\Model\Guard\PlacementScope;
use MagentoIr\IncidentResponse\Plugin\Quote\Api\CartManagementPlugin;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;
use Psr\Log\LoggerInterface;

final class CartManagementPluginTest extends TestCase
{
    private FakeDb $db;
    private int $proceeded = 0;

    protected function setUp(): void
    {
        $this->db = new FakeDb($this);
    }

    private function plugin(object $quote): CartManagementPlugin
    {
        $carts = $this->getMockBuilder(CartRepositoryInterface::class)->getMock();
        $carts->method('get')->willReturnCallback(static function ($id) use ($quote) {
            if ($id !== 41) {
                throw new \RuntimeException('No such entity with cartId = ' . $id);
            }
            return $quote;
        });
        $remote = $this->getMockBuilder(RemoteAddress::class)->getMock();
        $remote->method('getRemoteAddress')->willReturn('203.0.113.9');
        $logger = $this->getMockBuilder(LoggerInterface::class)->getMock();
        return new CartManagementPlugin(
            new AttemptReader($carts, $remote, new State()),
            new PaymentGuard(new GuardStore($this->db->resource), Fixtures::clock($this), $logger),
            new PlacementScope(),
            $logger
        );
    }

    private static function quote(?string $checkoutMethod, int $customerId, array $paymentData = []): object
    {
        $payment = new class ($paymentData) {
            public function __construct(private readonly array $data)
            {
            }

            public function getMethod(): string
            {
                return 'checkmo';
            }

            public function getData(string $key): mixed
            {
                return $this->data[$key] ?? null;
            }

            public function getAdditionalInformation(): array
            {
                return [];
            }
        };
        return new class ($checkoutMethod, $customerId, $payment) {
            public function __construct(
                private readonly ?string $checkoutMethod,
                private readonly int $customerId,
                private readonly object $payment
            ) {
            }

            public function getCheckoutMethod(): ?string
            {
                return $this->checkoutMethod;
            }

            public function getCustomerId(): int
            {
                return $this->customerId;
            }

            public function getCustomerEmail(): string
            {
                return 'Buyer@Example.com';
            }

            public function getBillingAddress(): ?object
            {
                return null;
            }

            public function getPayment(): object
            {
                return $this->payment;
            }

            public function getId(): int
            {
                return 41;
            }
        };
    }

    private function place(CartManagementPlugin $plugin, mixed $cartId = 41, ?\Throwable $fails = null): mixed
    {
        $subject = $this->getMockBuilder(CartManagementInterface::class)->getMock();
        return $plugin->aroundPlaceOrder($subject, function ($id) use ($fails) {
            $this->proceeded++;
            if ($fails !== null) {
                throw $fails;
            }
            return 1000 + $id;
        }, $cartId, null);
    }

    public function testAnAllowedOrderIsPlacedAndCounted(): void
    {
        self::assertSame(1041, $this->place($this->plugin(self::quote(null, 7))));
        $event = $this->db->calls('insert', GuardStore::EVENT_TABLE)[0][2];
        self::assertSame(['order', 'buyer@example.com', 7, 41, '203.0.113.9'], [
            $event['outcome'], $event['email'], $event['customer_id'], $event['quote_id'], $event['ip'],
        ]);
    }

    public function testAGuestCartHasNoCustomerEvenWithAStaleCustomerId(): void
    {
        $this->place($this->plugin(self::quote(CartManagementInterface::METHOD_GUEST, 7)));
        self::assertNull($this->db->calls('insert', GuardStore::EVENT_TABLE)[0][2]['customer_id']);
    }

    public function testABlockedOrderNeverReachesMagento(): void
    {
        $this->db->answer('/FROM magento_ir_guard_rule/', [[
            'rule_id' => 2, 'type' => 'bin', 'rule_values' => '["411111"]',
            'subject' => null, 'metric' => null, 'max_count' => null, 'window_seconds' => null,
        ]]);
        $plugin = $this->plugin(self::quote(null, 7, ['cc_number' => '4111111111111111']));
        try {
            $this->place($plugin);
            self::fail('placed');
        } catch (OrderBlockedException) {
            self::assertSame(0, $this->proceeded);
        }
        $block = $this->db->calls('insert', GuardStore::BLOCK_TABLE)[0][2];
        self::assertSame(['webapi_rest', 'checkmo', 41], [$block['channel'], $block['method'], $block['quote_id']]);
        self::assertStringNotContainsString('4111', json_encode($this->db->journal));
    }

    public function testAFailedPlacementIsCountedAndRethrown(): void
    {
        $declined = new \RuntimeException('The payment was declined.');
        try {
            $this->place($this->plugin(self::quote(null, 7)), 41, $declined);
            self::fail('no error');
        } catch (\RuntimeException $exception) {
            self::assertSame($declined, $exception);
        }
        self::assertSame('failure', $this->db->calls('insert', GuardStore::EVENT_TABLE)[0][2]['outcome']);
    }

    public function testAnUnknownCartIsLeftToMagento(): void
    {
        self::assertSame(1099, $this->place($this->plugin(self::quote(null, 7)), 99));
        self::assertSame([], $this->db->calls('insert'));
    }

    public function testCardNumbersGivenToPlaceOrderAreReadFromAdditionalData(): void
    {
        $this->db->answer('/FROM magento_ir_guard_rule/', [[
            'rule_id' => 2, 'type' => 'bin', 'rule_values' => '["52000000"]',
            'subject' => null, 'metric' => null, 'max_count' => null, 'window_seconds' => null,
        ]]);
        $payment = $this->getMockBuilder(PaymentInterface::class)->getMock();
        $payment->method('getMethod')->willReturn('gateway_cc');
        $payment->method('getAdditionalData')->willReturn(['cc_bin' => '52000000']);
        $subject = $this->getMockBuilder(CartManagementInterface::class)->getMock();
        $this->expectException(OrderBlockedException::class);
        $this->plugin(self::quote(null, 7))->aroundPlaceOrder($subject, fn () => 1, 41, $payment);
    }
}

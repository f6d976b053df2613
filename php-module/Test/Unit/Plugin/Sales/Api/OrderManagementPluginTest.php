<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Plugin\Sales\Api;

use Magento\Framework\App\State;
use Magento\Framework\HTTP\PhpEnvironment\RemoteAddress;
use Magento\Quote\Api\CartManagementInterface;
use Magento\Quote\Api\CartRepositoryInterface;
use Magento\Sales\Api\Data\OrderInterface;
use Magento\Sales\Api\OrderManagementInterface;
use MagentoIr\IncidentResponse\Model\Guard\AttemptReader;
use MagentoIr\IncidentResponse\Model\Guard\GuardStore;
use MagentoIr\IncidentResponse\Model\Guard\OrderBlockedException;
use MagentoIr\IncidentResponse\Model\Guard\PaymentGuard;
use MagentoIr\IncidentResponse\Model\Guard\PlacementScope;
use MagentoIr\IncidentResponse\Plugin\Quote\Api\CartManagementPlugin;
use MagentoIr\IncidentResponse\Plugin\Sales\Api\OrderManagementPlugin;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;
use Psr\Log\LoggerInterface;

/**
 * The order paths that skip CartManagementInterface::placeOrder, as Magento 2.4.7 runs them:
 * PayPal Express and Payment Services call QuoteManagement::submit, which calls
 * OrderManagementInterface::place once; multishipping's PlaceOrderDefault calls place once per address
 * and keeps each order's exception; the admin's order creation calls submit too.
 */
final class OrderManagementPluginTest extends TestCase
{
    private FakeDb $db;
    private PlacementScope $scope;
    /** @var list<string> */
    private array $placed = [];

    protected function setUp(): void
    {
        $this->db = new FakeDb($this);
        $this->scope = new PlacementScope();
    }

    private function reader(string $area): AttemptReader
    {
        $carts = $this->getMockBuilder(CartRepositoryInterface::class)->getMock();
        $carts->method('get')->willReturn(self::quote());
        $remote = $this->getMockBuilder(RemoteAddress::class)->getMock();
        $remote->method('getRemoteAddress')->willReturn('203.0.113.9');
        $state = $this->getMockBuilder(State::class)->getMock();
        $state->method('getAreaCode')->willReturn($area);
        return new AttemptReader($carts, $remote, $state);
    }

    private function guard(): PaymentGuard
    {
        $logger = $this->getMockBuilder(LoggerInterface::class)->getMock();
        return new PaymentGuard(new GuardStore($this->db->resource), Fixtures::clock($this), $logger);
    }

    private function plugin(string $area = 'frontend'): OrderManagementPlugin
    {
        $logger = $this->getMockBuilder(LoggerInterface::class)->getMock();
        return new OrderManagementPlugin($this->reader($area), $this->guard(), $this->scope, $logger);
    }

    private static function order(
        string $incrementId,
        ?int $customerId = null,
        string $method = 'paypal_express'
    ): OrderInterface {
        $payment = new class ($method) {
            public function __construct(private readonly string $method)
            {
            }

            public function getMethod(): string
            {
                return $this->method;
            }

            public function getData(string $key): mixed
            {
                return $key === 'cc_number' ? '4111111111111111' : null;
            }

            public function getAdditionalInformation(): array
            {
                return ['paypal_payer_id' => 'P1'];
            }
        };
        return new class ($incrementId, $customerId, $payment) implements OrderInterface {
            public function __construct(
                public readonly string $incrementId,
                private readonly ?int $customerId,
                private readonly object $payment
            ) {
            }

            public function getCustomerEmail()
            {
                return 'Shopper@Example.com';
            }

            public function getCustomerId()
            {
                return $this->customerId;
            }

            public function getCustomerIsGuest()
            {
                return $this->customerId === null ? 1 : 0;
            }

            public function getQuoteId()
            {
                return 41;
            }

            public function getPayment()
            {
                return $this->payment;
            }
        };
    }

    private static function quote(): object
    {
        return new class {
            public function getCheckoutMethod(): string
            {
                return 'guest';
            }

            public function getCustomerId(): ?int
            {
                return null;
            }

            public function getCustomerEmail(): string
            {
                return 'shopper@example.com';
            }

            public function getBillingAddress(): ?object
            {
                return null;
            }

            public function getPayment(): ?object
            {
                return null;
            }

            public function getId(): int
            {
                return 41;
            }
        };
    }

    private function place(OrderManagementPlugin $plugin, OrderInterface $order, ?\Throwable $fails = null): mixed
    {
        $subject = $this->getMockBuilder(OrderManagementInterface::class)->getMock();
        return $plugin->aroundPlace($subject, function (OrderInterface $order) use ($fails) {
            if ($fails !== null) {
                throw $fails;
            }
            $this->placed[] = $order->incrementId;
            return $order;
        }, $order);
    }

    private function rules(array ...$rules): void
    {
        $this->db->answer('/FROM magento_ir_guard_rule/', array_map(static fn (array $rule): array => $rule + [
            'rule_values' => '[]', 'subject' => null, 'metric' => null, 'max_count' => null,
            'window_seconds' => null,
        ], $rules));
        // Velocity counts what this test recorded so far.
        $this->db->answer('/FROM magento_ir_guard_event/', fn (string $sql, array $bind): string => (string) count(
            array_filter(
                $this->db->calls('insert', GuardStore::EVENT_TABLE),
                static fn (array $call): bool => $call[2]['outcome'] === $bind['outcome']
                    && (string) $call[2]['quote_id'] === (string) $bind['value']
            )
        ));
    }

    /**
     * @return list<string>
     */
    private function events(): array
    {
        return array_map(
            static fn (array $call): string => $call[2]['outcome'],
            $this->db->calls('insert', GuardStore::EVENT_TABLE)
        );
    }

    public function testPayPalExpressIsRefusedBeforeTheOrderIsPlacedAndTheRefusalCounted(): void
    {
        $this->rules(['rule_id' => 3, 'type' => 'email', 'rule_values' => '["shopper@example.com"]']);
        try {
            $this->place($this->plugin(), self::order('100000007'));
            self::fail('placed');
        } catch (OrderBlockedException $exception) {
            self::assertSame(PaymentGuard::BLOCKED_MESSAGE, $exception->getMessage());
        }
        self::assertSame([], $this->placed);
        $block = $this->db->calls('insert', GuardStore::BLOCK_TABLE)[0][2];
        self::assertSame(
            ['frontend', 'paypal_express', 41, null, 'shopper@example.com', '203.0.113.9'],
            [$block['channel'], $block['method'], $block['quote_id'], $block['customer_id'], $block['email'],
                $block['ip']]
        );
        self::assertStringContainsString('magento_ir_guard_counter', $this->db->calls('query')[0][1]);
        self::assertStringNotContainsString('4111', json_encode($this->db->journal));
    }

    public function testTheOrdersCardNumberIsMatchedByBinRulesAndNeverStored(): void
    {
        $this->rules(['rule_id' => 5, 'type' => 'bin', 'rule_values' => '["411111"]']);
        $this->expectException(OrderBlockedException::class);
        $this->place($this->plugin(), self::order('100000008', 7, 'payment_services_paypal_hosted_fields'));
    }

    public function testAnAllowedOrderIsPlacedAndCountedOnce(): void
    {
        $placed = $this->place($this->plugin(), self::order('100000009', 7));
        self::assertSame('100000009', $placed->incrementId);
        self::assertSame(['order'], $this->events());
        self::assertSame(7, $this->db->calls('insert', GuardStore::EVENT_TABLE)[0][2]['customer_id']);
    }

    public function testADeclinedOrderCountsAsAFailureAndIsRethrown(): void
    {
        $declined = new \RuntimeException('Transaction has been declined.');
        try {
            $this->place($this->plugin(), self::order('100000010'), $declined);
            self::fail('no error');
        } catch (\RuntimeException $exception) {
            self::assertSame($declined, $exception);
        }
        self::assertSame(['failure'], $this->events());
    }

    public function testMultishippingChecksAndCountsEachAddressesOrder(): void
    {
        // At most 2 orders per cart in the window: the third address's order is refused, and
        // PlaceOrderDefault keeps its exception (the shopper sees it for that address).
        $this->rules(['rule_id' => 9, 'type' => 'velocity', 'subject' => 'quote', 'metric' => 'orders',
            'max_count' => 2, 'window_seconds' => 600]);
        $plugin = $this->plugin();
        $errors = [];
        foreach (['100000011', '100000012', '100000013'] as $incrementId) {
            try {
                $this->place($plugin, self::order($incrementId, 7, 'checkmo'));
            } catch (\Exception $exception) {
                $errors[$incrementId] = $exception;
            }
        }
        self::assertSame(['100000011', '100000012'], $this->placed);
        self::assertSame([100000013], array_keys($errors));
        self::assertInstanceOf(OrderBlockedException::class, $errors['100000013']);
        self::assertSame(['order', 'order'], $this->events());
        self::assertCount(1, $this->db->calls('insert', GuardStore::BLOCK_TABLE));
    }

    public function testAnOrderPlacedThroughPlaceOrderIsCheckedAndCountedOnce(): void
    {
        // QuoteManagement::placeOrder -> submit -> OrderManagementInterface::place, both plugins on the way.
        $this->rules(['rule_id' => 9, 'type' => 'velocity', 'subject' => 'quote', 'metric' => 'orders',
            'max_count' => 5, 'window_seconds' => 600]);
        $logger = $this->getMockBuilder(LoggerInterface::class)->getMock();
        $cartPlugin = new CartManagementPlugin($this->reader('webapi_rest'), $this->guard(), $this->scope, $logger);
        $orderPlugin = $this->plugin('webapi_rest');
        $cart = $this->getMockBuilder(CartManagementInterface::class)->getMock();
        $orderId = $cartPlugin->aroundPlaceOrder(
            $cart,
            fn ($cartId) => $this->place($orderPlugin, self::order('100000014'))->incrementId,
            41,
            null
        );
        self::assertSame('100000014', $orderId);
        self::assertSame(['order'], $this->events());
        $ruleReads = array_filter(
            $this->db->calls('fetchAll'),
            static fn (array $call): bool => str_contains($call[1], 'magento_ir_guard_rule')
        );
        self::assertCount(1, $ruleReads);
        self::assertFalse($this->scope->checked());
    }

    public function testAfterAFailedPlaceOrderTheNextPathIsCheckedAgain(): void
    {
        $logger = $this->getMockBuilder(LoggerInterface::class)->getMock();
        $cartPlugin = new CartManagementPlugin($this->reader('webapi_rest'), $this->guard(), $this->scope, $logger);
        $cart = $this->getMockBuilder(CartManagementInterface::class)->getMock();
        try {
            $cartPlugin->aroundPlaceOrder($cart, static function (): never {
                throw new \RuntimeException('declined');
            }, 41, null);
        } catch (\RuntimeException) {
        }
        self::assertFalse($this->scope->checked());
        $this->place($this->plugin(), self::order('100000015'));
        self::assertSame(['failure', 'order'], $this->events());
    }

    public function testAdminCreatedOrdersAreLeftAlone(): void
    {
        $this->rules(['rule_id' => 3, 'type' => 'email', 'rule_values' => '["shopper@example.com"]']);
        $this->place($this->plugin('adminhtml'), self::order('100000016', 7, 'checkmo'));
        self::assertSame(['100000016'], $this->placed);
        self::assertSame([], $this->db->journal);
    }
}

<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Payment;

use Magento\Framework\App\Config\ReinitableConfigInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\Config\Storage\WriterInterface;
use Magento\Framework\App\DeploymentConfig;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Payment\PaymentConfig;
use MagentoIr\IncidentResponse\Model\Payment\ResumePaymentMethods;
use MagentoIr\IncidentResponse\Model\Payment\SuspendPaymentMethods;
use MagentoIr\IncidentResponse\Test\Unit\Support\FakeDb;
use MagentoIr\IncidentResponse\Test\Unit\Support\Fixtures;
use PHPUnit\Framework\TestCase;

final class PaymentMethodsTest extends TestCase
{
    private FakeDb $db;
    /** @var list<array<int, mixed>> */
    private array $writes = [];
    /** @var list<string> */
    private array $cleaned = [];
    /** @var array<string, string> */
    private array $locked = [];

    private function paymentConfig(): PaymentConfig
    {
        $scopeConfig = $this->getMockBuilder(ScopeConfigInterface::class)->getMock();
        $scopeConfig->method('getValue')->willReturnCallback(static fn ($path) => match ($path) {
            'payment' => ['checkmo' => [], 'banktransfer' => [], 'braintree' => []],
            'payment/checkmo/active' => '1',
            'payment/braintree/active' => '1',
            default => '0',
        });
        $deployment = $this->getMockBuilder(DeploymentConfig::class)->disableOriginalConstructor()->getMock();
        $deployment->method('get')->willReturnCallback(fn ($key) => $this->locked[$key] ?? null);
        return new PaymentConfig($this->db->resource, $scopeConfig, $deployment);
    }

    private function writer(): WriterInterface
    {
        $writer = $this->getMockBuilder(WriterInterface::class)->getMock();
        $writer->method('save')->willReturnCallback(function (...$args) {
            $this->writes[] = ['save', ...$args];
        });
        $writer->method('delete')->willReturnCallback(function (...$args) {
            $this->writes[] = ['delete', ...$args];
        });
        return $writer;
    }

    private function cache(): ReinitableConfigInterface
    {
        $config = $this->getMockBuilder(ReinitableConfigInterface::class)->getMock();
        $config->method('reinit')->willReturnCallback(function () use ($config) {
            $this->cleaned[] = 'reinit';
            return $config;
        });
        return $config;
    }

    private function suspend(): SuspendPaymentMethods
    {
        return new SuspendPaymentMethods(
            Fixtures::runner($this, $this->db),
            new Input(),
            $this->paymentConfig(),
            $this->writer(),
            $this->cache(),
            Fixtures::clock($this)
        );
    }

    private function store(): FakeDb
    {
        return (new FakeDb($this))
            ->answer('/FROM core_config_data/', static fn ($sql, $bind) => $bind === ['payment/checkmo/active'] ? [
                ['scope' => 'websites', 'scope_id' => '1', 'value' => '1'],
                ['scope' => 'stores', 'scope_id' => '3', 'value' => '0'],
            ] : [])
            ->answer('/FROM store_website/', ['1' => 'base'])
            ->answer('/FROM store WHERE/', ['1' => 'default'])
            ->answer('/LAST_INSERT_ID/', '30');
    }

    public function testSwitchesOffEveryScopeWhereTheMethodIsOnAndRecordsPriorValues(): void
    {
        $this->db = $this->store();
        $result = $this->suspend()->execute(['checkmo', 'banktransfer'], 'skimmer on payment step');

        self::assertSame([
            ['save', 'payment/checkmo/active', '0', 'default', 0],
            ['save', 'payment/checkmo/active', '0', 'websites', 1],
        ], $this->writes);
        self::assertSame([
            [
                'method' => 'checkmo',
                'scope' => 'default',
                'scope_id' => 0,
                'prior_value' => null,
                'created_at' => Fixtures::NOW_DATE,
            ],
            [
                'method' => 'checkmo',
                'scope' => 'websites',
                'scope_id' => 1,
                'prior_value' => '1',
                'created_at' => Fixtures::NOW_DATE,
            ],
        ], $this->db->calls('insertMultiple', PaymentConfig::SUSPENSION_TABLE)[0][2]);
        self::assertSame(
            ['suspended', 'already_inactive'],
            array_map(static fn ($i) => $i->getResult(), $result->getItems())
        );
        self::assertNull($result->getItems()[0]->getChanged()[0]->getValue());
        self::assertSame(['reinit'], $this->cleaned);
    }

    public function testScopesLockedInEnvPhpAreReportedAndLeftAlone(): void
    {
        $this->db = $this->store();
        $this->locked = [
            'system/default/payment/braintree/active' => '1',
            'system/stores/default/payment/checkmo/active' => '0',
        ];
        $result = $this->suspend()->execute(['braintree'], 'skimmer');

        self::assertSame([], $this->writes);
        $item = $result->getItems()[0];
        self::assertSame('locked', $item->getResult());
        self::assertSame(
            [['default', 0, '1']],
            array_map(static fn ($s) => [$s->getScope(), $s->getScopeId(), $s->getValue()], $item->getLocked())
        );
    }

    public function testUnknownMethodChangesNothingAndTheRefusalIsLogged(): void
    {
        $this->db = $this->store();
        try {
            $this->suspend()->execute(['checkmo', 'skimmerpay'], 'skimmer');
            self::fail('Expected InputException.');
        } catch (InputException $exception) {
            self::assertSame('Unknown payment method code(s): %codes.', $exception->getRawMessage());
            self::assertSame(['codes' => 'skimmerpay'], $exception->getParameters());
        }
        self::assertSame([], $this->writes);
        self::assertSame(['rejected'], Fixtures::loggedStatuses($this->db));
    }

    public function testResumeWritesBackPriorValuesAndRemovesRowsThatDidNotExist(): void
    {
        $this->db = (new FakeDb($this))
            ->answer('/SELECT DISTINCT method/', ['checkmo'])
            ->answer('/FROM magento_ir_payment_suspension/', [
                ['suspension_id' => '8', 'scope' => 'websites', 'scope_id' => '1', 'prior_value' => '1'],
                ['suspension_id' => '7', 'scope' => 'default', 'scope_id' => '0', 'prior_value' => null],
            ])
            ->answer('/LAST_INSERT_ID/', '31');
        $resume = new ResumePaymentMethods(
            Fixtures::runner($this, $this->db),
            new Input(),
            $this->paymentConfig(),
            $this->writer(),
            $this->cache(),
            Fixtures::clock($this)
        );

        $result = $resume->execute('checkout clean');

        self::assertSame([
            ['save', 'payment/checkmo/active', '1', 'websites', 1],
            ['delete', 'payment/checkmo/active', 'default', 0],
        ], $this->writes);
        self::assertSame('resumed', $result->getItems()[0]->getResult());
        self::assertSame(
            ['method = ?' => 'checkmo', 'resumed_at IS NULL'],
            $this->db->calls('update', PaymentConfig::SUSPENSION_TABLE)[0][3]
        );
        self::assertSame(['reinit'], $this->cleaned);
    }
}

<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Magento;

use Magento\Framework\Api\AttributeTypeResolverInterface;
use Magento\Framework\Api\AttributeValueFactory;
use Magento\Framework\Api\SearchCriteria;
use Magento\Framework\App\ObjectManager;
use Magento\Framework\Cache\FrontendInterface;
use Magento\Framework\ObjectManager\ConfigInterface;
use Magento\Framework\ObjectManagerInterface;
use Magento\Framework\Reflection\CustomAttributesProcessor;
use Magento\Framework\Reflection\DataObjectProcessor;
use Magento\Framework\Reflection\ExtensionAttributesProcessor;
use Magento\Framework\Reflection\FieldNamer;
use Magento\Framework\Reflection\MethodsMap;
use Magento\Framework\Reflection\TypeCaster;
use Magento\Framework\Reflection\TypeProcessor;
use Magento\Framework\Serialize\Serializer\Json;
use Magento\Framework\Serialize\SerializerInterface;
use Magento\Framework\Webapi\CustomAttributeTypeLocatorInterface;
use Magento\Framework\Webapi\ServiceInputProcessor;
use Magento\Framework\Webapi\ServiceOutputProcessor;
use Magento\Framework\Webapi\ServiceTypeToEntityTypeMap;
use Magento\Framework\Webapi\Validator\IOLimit\DefaultPageSizeSetter;
use Magento\Framework\Webapi\Validator\ServiceInputValidatorInterface;
use MagentoIr\IncidentResponse\Model\ActionLog\ActionLogSearchResults;
use MagentoIr\IncidentResponse\Model\Data\ActionRecord;
use PHPUnit\Framework\TestCase;

/**
 * Runs the contract's examples through Magento's own REST input and output processors: request bodies
 * must become execute() arguments, and our data objects must serialise to exactly the example responses.
 *
 * Needs a Magento tree: MAGENTO_AUTOLOAD=<magento>/vendor/autoload.php phpunit --testsuite magento
 */
final class WebapiContractTest extends TestCase
{
    private MethodsMap $methodsMap;
    private ServiceInputProcessor $input;
    private ServiceOutputProcessor $output;

    protected function setUp(): void
    {
        if (!class_exists(ServiceInputProcessor::class)) {
            self::markTestSkipped('Needs Magento: set MAGENTO_AUTOLOAD to a Magento vendor/autoload.php.');
        }
        $objectManager = $this->createMock(ObjectManagerInterface::class);
        $objectManager->method('get')->willReturnCallback(
            static fn ($type) => $type === SerializerInterface::class ? new Json() : new $type()
        );
        $objectManager->method('create')->willReturnCallback(
            static fn ($type, array $arguments = []) => new $type(...$arguments)
        );
        ObjectManager::setInstance($objectManager);
        $typeProcessor = new TypeProcessor();
        $fieldNamer = new FieldNamer();
        $cache = $this->createMock(FrontendInterface::class);
        $cache->method('load')->willReturn(false);
        $this->methodsMap = new MethodsMap(
            $cache,
            $typeProcessor,
            $this->createMock(AttributeTypeResolverInterface::class),
            $fieldNamer
        );
        $dataObjectProcessor = new DataObjectProcessor(
            $this->methodsMap,
            new TypeCaster(new Json()),
            $fieldNamer,
            $this->createMock(CustomAttributesProcessor::class),
            $this->createMock(ExtensionAttributesProcessor::class)
        );
        $this->output = new ServiceOutputProcessor($dataObjectProcessor, $this->methodsMap, $typeProcessor);
        $this->input = new ServiceInputProcessor(
            $typeProcessor,
            $objectManager,
            $this->createMock(AttributeValueFactory::class),
            $this->createMock(CustomAttributeTypeLocatorInterface::class),
            $this->methodsMap,
            $this->createMock(ServiceTypeToEntityTypeMap::class),
            $this->createMock(ConfigInterface::class),
            [],
            $this->createMock(ServiceInputValidatorInterface::class),
            20,
            $this->createMock(DefaultPageSizeSetter::class)
        );
    }

    /**
     * @return iterable<string, array{0: string, 1: array<string, mixed>}>
     */
    public static function operations(): iterable
    {
        $contract = json_decode(
            (string) file_get_contents(dirname(__DIR__, 2) . '/contract/openapi.json'),
            true,
            512,
            JSON_THROW_ON_ERROR
        );
        foreach ($contract['paths'] as $path => $operations) {
            foreach ($operations as $method => $operation) {
                yield strtoupper($method) . ' ' . $path => [$operation['x-magento-service']['class'], $operation];
            }
        }
    }

    /**
     * @dataProvider operations
     * @param array<string, mixed> $operation
     */
    public function testExampleRequestMapsOntoTheServiceParameters(string $service, array $operation): void
    {
        $parameters = $this->methodsMap->getMethodParams($service, 'execute');
        if (!isset($operation['requestBody'])) {
            self::assertIsArray($parameters);
            return;
        }
        $body = $operation['requestBody']['content']['application/json']['example'];
        $arguments = $this->input->process($service, 'execute', $body);
        self::assertCount(count($parameters), $arguments);
        foreach ($parameters as $index => $parameter) {
            if (array_key_exists($parameter['name'], $body)) {
                self::assertEquals($body[$parameter['name']], $arguments[$index], $parameter['name']);
            }
        }
    }

    /**
     * @dataProvider operations
     * @param array<string, mixed> $operation
     */
    public function testDataObjectsSerialiseToTheExampleResponse(string $service, array $operation): void
    {
        $content = $operation['responses']['200']['content']['application/json'];
        $schema = substr($content['schema']['$ref'], strrpos($content['schema']['$ref'], '/') + 1);
        $example = $content['example'];
        if ($schema === 'ActionLogSearchResults') {
            $result = new ActionLogSearchResults();
            $result->setItems(array_map([ActionRecord::class, 'fromArray'], $example['items']));
            $result->setSearchCriteria(new SearchCriteria($example['search_criteria']));
            $result->setTotalCount($example['total_count']);
        } else {
            $class = 'MagentoIr\\IncidentResponse\\Model\\Data\\' . $schema;
            $result = $class::fromArray($example);
        }
        self::assertEquals($example, $this->output->process($result, $service, 'execute'));
    }
}
